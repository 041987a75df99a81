"""Write the siteplan notebooks from the cell sources below.

The notebooks are generated so that they stay reviewable as plain Python and are
always committed without outputs. Edit the cells here, then run::

    .venv/bin/python notebooks/_build.py          # rewrite notebooks/*.ipynb
    .venv/bin/python notebooks/_build.py --check  # exit 1 if a notebook is stale

The written files are deterministic: stable cell ids, no outputs, no execution
counts, and only the ``kernelspec`` and ``language_info`` metadata.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import nbformat
from _nb04 import NB04
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str]


def md(text: str) -> Cell:
    """Return a markdown cell."""
    return ("markdown", textwrap.dedent(text).strip("\n"))


def code(text: str) -> Cell:
    """Return a code cell."""
    return ("code", textwrap.dedent(text).strip("\n"))


# --------------------------------------------------------------------------- 01

NB01: list[Cell] = [
    md(
        """
        # 01 · How close are the CGT park and its medical anchors?

        In April 2023 Shanghai opened its first park for **cell and gene therapy (CGT)**, the
        Zhangjiang Gene Island, in the Shanghai International Medical Zone (SIMZ, Pudong). It was
        announced as sitting "in the proximity of" three medical anchors: the Shanghai Proton and
        Heavy Ion Center, the Zhangjiang campus of the National Children's Medical Center and the
        Pudong campus of Fudan University Shanghai Cancer Center.

        **The planning question:** how close are these four sites to each other, which of them is
        best connected to the rest, and how much does that answer depend on how we define "close"?

        **The method, in plain words:**

        1. Read the site outlines and check them (right coordinate order, valid shapes, known datum).
        2. Measure every pair of sites in metres, from the nearest edge of one footprint to the
           nearest edge of the other, on a flat map projection that keeps distances true
           (UTM zone 51N here).
        3. Turn each distance into a **pair score from 0 to 100** with a *decay* rule: close pairs
           score high, distant ones low. The default rule uses distance rings (500 m, 1 km, 2 km,
           5 km): a pair within 500 m scores 100, within 1 km 75, within 2 km 50, within 5 km 25,
           beyond that 0.
        4. A **site's score** is the average of its pair scores (weighted by the importance of the
           other sites); rank 1 is the best connected. The **cluster score** is the average of all
           pair scores.

        > **The bundled data are schematic.** No surveyed outline of these four sites has been
        > published. They are placed from published addresses, bounding roads and areas, with an
        > uncertainty of about ±1 km, and every feature says so. The numbers below illustrate the
        > method; replace the layers with surveyed ones before relying on them.
        """
    ),
    code(
        """
        import tempfile
        from dataclasses import replace
        from pathlib import Path

        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd
        import pyogrio
        from IPython.display import display

        import siteplan

        # Every file this notebook writes goes into a fresh temporary folder.
        work = Path(tempfile.mkdtemp(prefix="siteplan-01-"))
        pd.set_option("display.max_colwidth", 60)
        print("siteplan", siteplan.__version__, "- writing into", work)
        """
    ),
    md(
        """
        ## 1. Load the bundled study and check it

        A *study* is a small TOML file listing the layers: four **site** layers (the places we
        score), a **boundary** (the medical zone) and a **context** layer (metro stations, drawn on
        maps only). `validate_paths` reads every layer, checks it, and says what it found; with no
        paths it checks the bundled study.
        """
    ),
    code(
        """
        validation = siteplan.validate_paths([])
        print(validation.text)
        """
    ),
    code(
        """
        study = siteplan.load_study()
        pd.DataFrame(
            [
                {"layer": spec.name, "role": spec.role, "datum": spec.datum, "weight": spec.weight}
                for spec in study.layers
            ]
        )
        """
    ),
    md(
        """
        ## 2. Score the sites

        `analyze` runs the whole method and returns one result object. Its `sites` table is the
        ranking; `nearest_m` is the distance to the closest other site, in metres.
        """
    ),
    code(
        """
        result = siteplan.analyze()
        print("Measured in", result.crs_name, "with", result.parameters.as_dict())
        print(f"Cluster score: {result.cluster_score:.1f} / 100")
        print()
        print(result.caveat)
        """
    ),
    code(
        """
        ranking_columns = ["rank", "id", "name_zh", "score", "nearest_id", "nearest_m", "area_m2"]
        result.sites[ranking_columns].round(1)
        """
    ),
    md(
        """
        The **pair table** has one row per pair of sites. `edge_m` is the edge-to-edge distance the
        scores use; `centroid_m` is centre to centre; `geodesic_m` re-measures the edge distance on
        the curved Earth as a check on the projection (here they agree within 0.03 %).
        `ring_m` is the smallest ring that reaches the other site.
        """
    ),
    code(
        """
        pair_columns = ["a", "b", "edge_m", "centroid_m", "geodesic_m", "ring_m", "score"]
        result.pairs[pair_columns].round(1)
        """
    ),
    md(
        """
        Why does a site score what it scores? The breakdown lists what each neighbour contributed.
        Here, the CGT park:
        """
    ),
    code(
        """
        result.breakdown[result.breakdown["site_id"] == "cgt_park"].round(1)
        """
    ),
    md(
        """
        ## 3. Change the assumptions and watch the ranking move

        Four knobs decide the answer:

        * **the rings**: what counts as "same campus" or "a short walk";
        * **the decay**: a smooth rule instead of steps, for example an *exponential* decay where
          the score halves every 800 m;
        * **the weights**: how much each site matters to the others. A site's score is the
          weighted mean of its pair scores, using the weights of the *other* sites; giving the CGT
          park a weight of 2 makes "being close to the CGT park" count double for the anchors
          (and leaves the park's own score as it was);
        * **the measure**: edge to edge (the default) or centre to centre. For large footprints
          this matters: the CGT park is a long 400 m block whose southern edge is close to the
          cancer center, but whose centre is not.

        The weight lives in the study (per layer), so we build a copy of the study with one layer
        changed; the original is left as it is.
        """
    ),
    code(
        """
        cgt_weighted = replace(
            study,
            name=study.name + " (CGT park weight 2)",
            layers=tuple(
                replace(spec, weight=2.0) if spec.name == "cgt_park" else spec
                for spec in study.layers
            ),
        )

        scenarios = {
            "default": result,
            "rings 250/500/1000/2000 m": siteplan.analyze(rings_m=[250, 500, 1000, 2000]),
            "exponential, halves every 800 m": siteplan.analyze(decay="exponential", half_m=800),
            "CGT park weight 2": siteplan.analyze(cgt_weighted),
            "exponential 800 m, centre to centre": siteplan.analyze(
                decay="exponential", half_m=800, measure="centroid"
            ),
        }
        site_order = list(result.sites["id"])
        ranks = pd.DataFrame(
            {label: r.sites.set_index("id")["rank"] for label, r in scenarios.items()}
        ).loc[site_order]
        scores = pd.DataFrame(
            {label: r.sites.set_index("id")["score"] for label, r in scenarios.items()}
        ).loc[site_order]
        print("Rank of each site under each assumption (1 = best connected):")
        display(ranks)
        print("Score of each site under each assumption:")
        display(scores.round(1))
        """
    ),
    md(
        """
        **Reading the tables.** The scores move a lot (tighter rings lower every score, because
        fewer pairs fall into the first ring), but the order of the sites is stable under the
        rings, the decay and the weight: the cancer and proton centers sit next to each other and
        lead, the children's center is last. Only measuring **centre to centre** swaps the CGT park
        and the children's center: the park's long footprint reaches towards the anchors, its
        centre does not. Which measure is right is a planning decision (do people walk from the
        nearest gate, or from the middle of the campus?), so say which one you used.

        ### All five decay rules side by side

        Each decay turns a distance into a pair score differently. The left chart shows the rules
        (parameters chosen to be comparable: each fades out over a few kilometres); the other two
        show each site's score under each rule, measured edge to edge and centre to centre. When a
        site's bars keep the same order across rules, the ranking does not depend on that choice.
        """
    ),
    code(
        """
        decays = {
            "rings": {},
            "linear": {"max_m": 3000},
            "exponential": {"half_m": 800},
            "gaussian": {"sigma_m": 1000},
            "logistic": {"inflection_m": 1000, "steepness_m": 250},
        }
        by_decay = {
            (measure, kind): siteplan.analyze(decay=kind, measure=measure, **params)
            for measure in ("edge", "centroid")
            for kind, params in decays.items()
        }
        decay_scores = pd.DataFrame(
            {key: r.sites.set_index("id")["score"] for key, r in by_decay.items()}
        ).loc[site_order]
        decay_ranks = pd.DataFrame(
            {key: r.sites.set_index("id")["rank"] for key, r in by_decay.items()}
        ).loc[site_order]

        fig, axes = plt.subplots(1, 3, figsize=(15, 4), layout="constrained")
        distance = np.linspace(0, 5000, 501)
        for kind, params in decays.items():
            axes[0].plot(distance, siteplan.make_decay(kind, **params)(distance), label=kind)
        axes[0].set(xlabel="distance between two sites (m)", ylabel="pair score", title="Decay rules")
        for ax, measure in zip(axes[1:], ("edge", "centroid"), strict=True):
            decay_scores[measure].plot.bar(ax=ax, rot=15, width=0.8, legend=False)
            ax.set(ylim=(0, 100), xlabel="", ylabel="site score (0-100)")
            ax.set_title(f"Site scores by decay ({measure} distance)")
        fig.legend(*axes[0].get_legend_handles_labels(), title="decay", loc="outside right upper")
        plt.show()
        """
    ),
    md(
        """
        The ranks behind the bars (1 = best connected):
        """
    ),
    code(
        """
        decay_ranks
        """
    ),
    md(
        """
        ## 4. The map

        The map shows the footprints coloured by score, the distance rings around each site
        (switch them on and off in the layer control), the shortest line between every pair with
        its distance and score, the zone boundary and the metro stations. Click a site for its
        details and sources.

        `offline=True` puts the map's JavaScript and styles inside the page, so it needs no
        network, and draws no background tiles; `make_map(result)` without it adds an
        OpenStreetMap background when the browser is online.
        """
    ),
    code(
        """
        fmap = siteplan.make_map(result, offline=True)
        fmap
        """
    ),
    md(
        """
        The same map as a standalone HTML file, to open in a browser or send to a colleague:
        """
    ),
    code(
        """
        map_file = siteplan.write_map(result, work / "simz_map.html", offline=True)
        print("wrote", map_file, f"({map_file.stat().st_size:,} bytes)")
        """
    ),
    md(
        """
        ## 5. Take it to QGIS: a GeoPackage

        `export_result` writes one GeoPackage with the sites (with their scores), the ring bands,
        the pair lines, the boundary, the context layer and a `parameters` table recording how the
        numbers were made. Open it in QGIS with *Layer → Add Layer → Add Vector Layer*.
        """
    ),
    code(
        """
        gpkg = siteplan.export_result(result, work / "simz.gpkg")
        pyogrio.list_layers(gpkg)
        """
    ),
]


# --------------------------------------------------------------------------- 02

NB02: list[Cell] = [
    md(
        """
        # 02 · Your own layers

        The bundled study is an example. This notebook shows how a planner builds a study from
        their **own** data and checks it before trusting any number:

        1. type in a few coordinates and save them as GeoJSON layers;
        2. declare where each coordinate came from: a point copied from **Amap (Gaode)** is in the
           Chinese **GCJ-02** datum, shifted about 470 m from GPS (WGS84) coordinates in Shanghai,
           and must be declared as such;
        3. write a study file, validate it, and see what a *bad* layer's message looks like;
        4. score the study and write an HTML report.

        The places and coordinates below are **made up for the example** (around the Shanghai
        International Medical Zone); replace them with your own.
        """
    ),
    code(
        """
        import json
        import tempfile
        from dataclasses import replace
        from pathlib import Path

        import pandas as pd
        from IPython.display import Markdown, display
        from pyproj import Geod

        import siteplan

        # Every file this notebook writes goes into a fresh temporary folder.
        work = Path(tempfile.mkdtemp(prefix="siteplan-02-"))
        print("writing into", work)
        """
    ),
    md(
        """
        ## 1. Coordinates typed in

        Each place gets an `id` (short, unique, used in every table), a `name`, and a few facts
        worth keeping with the data: where the position came from (`source`), how accurate it is
        (`accuracy_m`) and whether it was surveyed or placed by hand (`placement`).

        GeoJSON always stores a position as **[longitude, latitude]**, in that order.
        """
    ),
    code(
        """
        def write_points(path, places):
            \"\"\"Write {id: (lon, lat, properties)} as a GeoJSON FeatureCollection of points.\"\"\"
            features = [
                {
                    "type": "Feature",
                    "properties": {"id": place_id, **properties},
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                }
                for place_id, (lon, lat, properties) in places.items()
            ]
            collection = {"type": "FeatureCollection", "features": features}
            path.write_text(json.dumps(collection, ensure_ascii=False, indent=1), encoding="utf-8")
            return path


        surveyed = {"placement": "surveyed", "accuracy_m": 10, "source": "site visit, handheld GPS"}
        my_sites = write_points(
            work / "my_sites.geojson",
            {
                "incubator": (121.6100, 31.1000, {"name": "Biotech incubator", **surveyed}),
                "outpatient": (121.6180, 31.0950, {"name": "Outpatient building", **surveyed}),
                "cold_chain": (121.6300, 31.0880, {"name": "Cold-chain sample hub", **surveyed}),
            },
        )
        print(my_sites.read_text(encoding="utf-8")[:400], "...")
        """
    ),
    md(
        """
        ## 2. A point copied from Amap: declare its datum

        Web maps in mainland China (Amap/Gaode, Tencent) show coordinates in **GCJ-02**, an
        official obfuscation of WGS84; Baidu uses **BD-09**, a further shift. They look like
        ordinary longitudes and latitudes, so nothing warns you, but in Shanghai GCJ-02 is about
        **470 m** away from the true (WGS84) position: enough to move a site across a ring.

        Here the East Zhoupu metro station (line 16) is copied from Amap. It goes in its own layer,
        declared `datum = "gcj02"`; siteplan converts it to WGS84 when it reads the layer.
        """
    ),
    code(
        """
        amap_sites = write_points(
            work / "amap_points.geojson",
            {
                "zhoupu_east": (
                    121.606591,
                    31.109437,
                    {
                        "name": "East Zhoupu station (metro line 16)",
                        "placement": "surveyed",
                        "accuracy_m": 100,
                        "source": "copied from Amap (GCJ-02)",
                    },
                )
            },
        )

        as_gcj02 = siteplan.read_layer(siteplan.LayerSpec(amap_sites, datum="gcj02")).frame
        as_wgs84 = siteplan.read_layer(siteplan.LayerSpec(amap_sites, datum="wgs84")).frame
        right, wrong = as_gcj02.geometry.iloc[0], as_wgs84.geometry.iloc[0]
        _, _, shift_m = Geod(ellps="WGS84").inv(wrong.x, wrong.y, right.x, right.y)
        print(f"declared gcj02 -> WGS84 position  {right.x:.6f}, {right.y:.6f}")
        print(f"read as if WGS84 (wrong)          {wrong.x:.6f}, {wrong.y:.6f}")
        print(f"the difference: {shift_m:.0f} m")
        """
    ),
    md(
        """
        The converted position matches the station's published WGS84 position (121.6024, 31.1117)
        to within a metre. Reading the same numbers as WGS84 would have put the station almost half
        a kilometre to the north-east.

        ## 3. A study file

        The study file lists the layers, their role, their datum and their weight, and how to
        score. The metro station is given weight 2: for this planner, being near transit counts
        twice as much as being near another facility. The scoring uses a **linear** decay: 100 at
        distance 0, falling to 0 at 3 km.
        """
    ),
    code(
        """
        study_text = '''
        name = "My facilities near East Zhoupu station"
        crs = "auto"

        [scoring]
        measure = "edge"
        decay = "linear"
        max_m = 3000

        [[layers]]
        path = "my_sites.geojson"
        role = "site"
        datum = "wgs84"

        [[layers]]
        path = "amap_points.geojson"
        role = "site"
        datum = "gcj02"
        weight = 2
        '''
        study_file = work / "my_study.toml"
        study_file.write_text(study_text.lstrip(), encoding="utf-8")
        study = siteplan.load_study(study_file)
        [(spec.name, spec.role, spec.datum, spec.weight) for spec in study.layers]
        """
    ),
    md(
        """
        ## 4. Validate before scoring

        `validate_paths` accepts single layer files, folders and study files. Here: first one
        GeoJSON file on its own, then the whole study.
        """
    ),
    code(
        """
        print(siteplan.validate_paths([my_sites]).text)
        print(siteplan.validate_paths([study_file]).text)
        """
    ),
    md(
        """
        ### What a bad layer looks like

        A common mistake is typing **latitude first** (as most people say coordinates out loud).
        siteplan refuses such a layer instead of measuring nonsense, and its message names the
        file, the feature and what to do. Every problem siteplan reports on purpose is a
        `siteplan.SiteplanError`, so a notebook or script can catch it and show the one-line
        message.
        """
    ),
    code(
        """
        swapped = write_points(
            work / "typed_lat_first.geojson",
            {
                "incubator": (31.1000, 121.6100, {"name": "Biotech incubator"}),
                "outpatient": (31.0950, 121.6180, {"name": "Outpatient building"}),
            },
        )
        try:
            siteplan.validate_paths([swapped])
        except siteplan.SiteplanError as error:
            print(type(error).__name__ + ":", error.format())
        """
    ),
    md(
        """
        Another one: a study file with a datum siteplan does not know.
        """
    ),
    code(
        """
        bad_study = work / "bad_study.toml"
        bad_study.write_text(
            study_file.read_text(encoding="utf-8").replace('"gcj02"', '"amap"'), encoding="utf-8"
        )
        try:
            siteplan.load_study(bad_study)
        except siteplan.SiteplanError as error:
            print(type(error).__name__ + ":", error.format())
        """
    ),
    md(
        """
        ## 5. Score it

        With the layers checked, `analyze` measures every pair and ranks the sites. Because all
        four places are points, the edge-to-edge distance is simply the distance between them.
        """
    ),
    code(
        """
        result = siteplan.analyze(study_file)
        print(result.caveat)
        result.sites[["rank", "id", "name", "weight", "score", "nearest_id", "nearest_m"]].round(1)
        """
    ),
    code(
        """
        result.pairs[["a", "b", "distance_m", "score"]].round(1)
        """
    ),
    md(
        """
        What if the Amap point had **not** been declared as GCJ-02? The same study with the datum
        left at WGS84 puts the station ~470 m off, and the scores of every site within reach of it
        change (the cold-chain hub is more than 3 km from the station either way, so its score
        stays):
        """
    ),
    code(
        """
        undeclared = replace(
            study,
            layers=tuple(replace(spec, datum="wgs84") for spec in study.layers),
        )
        wrong_result = siteplan.analyze(undeclared)
        pd.DataFrame(
            {
                "score (gcj02 declared)": result.sites.set_index("id")["score"],
                "score (datum forgotten)": wrong_result.sites.set_index("id")["score"],
            }
        ).round(1)
        """
    ),
    md(
        """
        ## 6. The report

        `write_report` writes the report as HTML (or markdown, csv, json, chosen by the file
        suffix). The HTML file is self-contained: open it in a browser or attach it to an email.
        The same report as markdown is shown below.
        """
    ),
    code(
        """
        html_report = siteplan.write_report(result, work / "my_study_report.html")
        print("wrote", html_report, f"({html_report.stat().st_size:,} bytes)")
        display(Markdown(siteplan.render_report(result, "markdown")))
        """
    ),
]


# --------------------------------------------------------------------------- 03

NB03: list[Cell] = [
    md(
        """
        # 03 · Where should the next facility go?

        Notebook 01 asked how well connected the existing sites are. The next question a planner
        asks is **where to put a new facility** (say, a second CGT building or a shared lab) so
        that it is close to the sites that matter.

        **The method, in plain words:**

        1. Lay a grid of square cells, 50 m on a side, over the study area (the medical zone's boundary).
           Every cell whose centre lies inside the zone is a *candidate*.
        2. Score each candidate as if a new site stood at its centre: its distance to every
           existing site, turned into a 0-100 score with the study's decay rule, averaged with the
           sites' weights. The result is a **suitability surface**.
        3. Take out the cells where the facility cannot go: on an existing site (always), outside
           the zone (always), and whatever rules the planner adds, such as "within 1 km of the
           proton center". Each rule reports how many cells it removed.
        4. Pick the **top 10** cells, at least 200 m apart, so that the list offers ten different
           places rather than ten neighbouring cells.
        5. Compare **scenarios** (what if a site moved?) and check how much the picks depend on
           the scoring choices (**sensitivity**).

        > **The bundled data are schematic** (positions uncertain by about ±1 km). The picks below
        > illustrate the method, not real sites; use surveyed layers before relying on them.
        """
    ),
    code(
        """
        import tempfile
        from dataclasses import replace
        from pathlib import Path

        import geopandas as gpd
        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd
        import pyogrio
        from IPython.display import Markdown, display
        from matplotlib.colors import ListedColormap

        import siteplan

        # Every file this notebook writes goes into a fresh temporary folder.
        work = Path(tempfile.mkdtemp(prefix="siteplan-03-"))
        print("writing into", work)
        """
    ),
    md(
        """
        ## 1. Score the grid

        First with the study's own scoring: the distance rings of notebook 01 (100 within 500 m,
        75 within 1 km, ...).
        """
    ),
    code(
        """
        base = siteplan.analyze()
        stepped = siteplan.score_candidates(base, cell_m=50)
        eligible = stepped.candidates[stepped.eligible]
        best = eligible["score"].max()
        print(f"{len(stepped):,} candidate cells, {len(eligible):,} eligible; excluded: {stepped.excluded}")
        print(f"best score {best:.2f}, shared by {(eligible['score'] == best).sum()} cells")
        """
    ),
    md(
        """
        With ring steps, every cell within 500 m of three sites and within 1 km of the fourth gets
        exactly the same score: nearly a hundred cells tie for first place, and the "top 10" are
        decided by the tie-break (the cell further south, then further west), not by the planning
        question. A **smooth
        decay** separates them: here the score halves every 800 m. The rest of this notebook uses
        it.
        """
    ),
    code(
        """
        result = siteplan.analyze(decay="exponential", half_m=800)
        cres = siteplan.score_candidates(result, cell_m=50, top=10, min_separation_m=200)
        print(cres.caveat)
        cres.picks[["rank", "id", "lon", "lat", "score", "nearest_id", "nearest_m"]].round(
            {"lon": 5, "lat": 5, "score": 1, "nearest_m": 0}
        )
        """
    ),
    md(
        """
        Each pick's **breakdown**: its score against every site (100 = right next to it) and the
        distance in metres. The pick's score is their weighted mean.
        """
    ),
    code(
        """
        breakdown = cres.picks.set_index("rank")[
            [f"score_{site}" for site in cres.site_ids] + [f"distance_m_{site}" for site in cres.site_ids]
        ]
        breakdown.head(5).round(0)
        """
    ),
    md(
        """
        ## 2. The surface

        Every eligible cell coloured by its score; cells that a rule took out are grey; the
        existing sites are outlined in black and the picks are numbered. (The plot is drawn in the
        study's metric CRS, UTM zone 51N, so distances on it are true.)
        """
    ),
    code(
        """
        def plot_surface(cres, ax, title):
            \"\"\"Draw the scored grid, the excluded cells, the sites and the numbered picks, in metres.\"\"\"
            grid, cells, ok = cres.grid, cres.candidates, cres.eligible
            row, col = cells["row"].to_numpy(), cells["col"].to_numpy()
            score = np.full((grid.rows, grid.cols), np.nan)
            score[row[ok], col[ok]] = cells["score"].to_numpy()[ok]
            excluded = np.full((grid.rows, grid.cols), np.nan)
            excluded[row[~ok], col[~ok]] = 0
            extent = (grid.x0, grid.x0 + grid.cols * grid.cell_m, grid.y0, grid.y0 + grid.rows * grid.cell_m)
            ax.imshow(excluded, origin="lower", extent=extent, cmap=ListedColormap(["0.85"]))
            image = ax.imshow(score, origin="lower", extent=extent, cmap="viridis", vmin=0, vmax=100)
            ax.figure.colorbar(image, ax=ax, label="score", shrink=0.7)
            boundary = cres.result.data.boundary.to_crs(cres.result.crs)
            boundary.boundary.plot(ax=ax, color="0.3", linewidth=0.8)
            cres.result.sites_m.boundary.plot(ax=ax, color="black", linewidth=1.2)
            picks = cres.picks
            ax.scatter(picks["x"], picks["y"], s=90, facecolor="white", edgecolor="red", zorder=3)
            for pick in picks.itertuples():
                ax.annotate(
                    str(pick.rank), (pick.x, pick.y), ha="center", va="center",
                    fontsize=7, color="red", zorder=4,
                )
            ax.set_title(title)
            ax.set_axis_off()


        fig, ax = plt.subplots(figsize=(7, 7), layout="constrained")
        plot_surface(cres, ax, "Suitability of a new facility (exponential decay, 800 m)")
        plt.show()
        """
    ),
    md(
        """
        ## 3. Add planning rules (constraints)

        Three rules a brief might contain:

        * the new facility shares imaging and radiotherapy with the proton center, so it must be
          **within 1 km** of it;
        * it handles viral vectors, so it must stay **at least 300 m** from the children's center;
        * it keeps a **100 m setback** from every existing site (access roads, deliveries, room for
          the hospitals to grow).

        Rules can also be written in the study file as `[[constraints]]` tables (see the
        `siteplan.score.constraints` documentation), with a note and the regulation they come from.
        """
    ),
    code(
        """
        rules = [
            siteplan.make_constraint(
                "within",
                site="proton_center",
                distance_m=1000,
                note="shares imaging and radiotherapy with the proton center",
                source="example planning brief",
            ),
            siteplan.make_constraint(
                "beyond",
                site="childrens_center",
                distance_m=300,
                note="keeps viral-vector work away from the children's hospital",
                source="example planning brief",
            ),
            siteplan.make_constraint(
                "setback",
                distance_m=100,
                note="access roads and room for the existing sites to grow",
                source="example planning brief",
            ),
        ]
        constrained = siteplan.score_candidates(result, cell_m=50, top=10, min_separation_m=200, constraints=rules)
        pd.DataFrame(
            [
                {"constraint": c.name, "excludes a cell whose": c.rule, "cells excluded": constrained.excluded.get(c.name, 0)}
                for c in constrained.constraints
            ]
        )
        """
    ),
    code(
        """
        fig, axes = plt.subplots(1, 2, figsize=(13, 6.5), layout="constrained")
        plot_surface(cres, axes[0], "No extra rules")
        plot_surface(constrained, axes[1], "With the three rules")
        plt.show()
        """
    ),
    md(
        """
        The "within" rule keeps only a disc around the proton center, the "beyond" rule cuts a notch
        around the children's center, and the setback pushes the picks off the anchors' walls,
        100-150 m out.
        The new top 10:
        """
    ),
    code(
        """
        constrained.picks[["rank", "id", "lon", "lat", "score", "nearest_id", "nearest_m"]].round(
            {"lon": 5, "lat": 5, "score": 1, "nearest_m": 0}
        )
        """
    ),
    md(
        """
        The same on the interactive map: the surface coloured by score, the picks as numbered
        markers (click one for its breakdown), each rule's excluded area hatched (one layer per
        rule in the layer control). **Click anywhere** on the map: the page scores that point
        itself, with the same decay and weights, and lists its distance to every site.
        """
    ),
    code(
        """
        siteplan.make_map(result, candidates=constrained, offline=True)
        """
    ),
    md(
        """
        The picks as a report (the same text `siteplan candidates -f markdown` prints), and as
        files: the map as a standalone HTML page, and a GeoPackage for GIS with the scored
        surface, the picks and the excluded areas.
        """
    ),
    code(
        """
        display(Markdown(siteplan.render_candidates(constrained, "markdown")))
        map_file = siteplan.write_map(result, work / "candidates_map.html", candidates=constrained, offline=True)
        print("wrote", map_file, f"({map_file.stat().st_size:,} bytes)")
        gpkg = siteplan.write_candidates(constrained, work / "candidates.gpkg")
        pyogrio.list_layers(gpkg)
        """
    ),
    md(
        """
        ## 4. Compare two scenarios

        Plans change. What if the CGT park had been built **800 m further south**, on the west
        side of Kangxin Highway, opposite the proton center? A scenario is simply another study:
        here a copy of the bundled one whose `cgt_park` layer points to a moved footprint (moved
        in metres, in the study's metric CRS, and written to the temporary folder). The bundled
        files are not touched.
        """
    ),
    code(
        """
        park_spec = next(spec for spec in result.study.layers if spec.name == "cgt_park")
        park = gpd.read_file(park_spec.path).to_crs(result.crs)
        park["geometry"] = park.translate(yoff=-800)
        park["notes"] = "SCENARIO: the schematic CGT park moved 800 m south"
        moved_file = work / "cgt_park.geojson"
        park.to_crs("EPSG:4326").to_file(moved_file, driver="GeoJSON")

        moved_study = replace(
            result.study,
            name="SIMZ scenario: CGT park 800 m south",
            path=None,
            layers=tuple(
                replace(spec, path=moved_file) if spec.name == "cgt_park" else spec
                for spec in result.study.layers
            ),
        )
        moved = siteplan.analyze(moved_study, decay="exponential", half_m=800)
        moved.sites[["rank", "id", "score", "nearest_id", "nearest_m"]].round(1)
        """
    ),
    md(
        """
        `siteplan.compare_studies` puts the two side by side (changes are scenario minus reference): every
        site's score and rank, every pair's distance and score, the cluster score, and, with the
        same three rules, how the top 10 picks change. A pick is the *same* when the scenario
        picks the same cell, *moved* when the nearest new pick is within 200 m, otherwise
        *removed* (and the scenario's new picks are *added*).
        """
    ),
    code(
        """
        comparison = siteplan.compare_studies(result, moved, constraints=rules)
        cluster = comparison.cluster
        print(
            f"Cluster score {cluster['score_a']:.1f} -> {cluster['score_b']:.1f} "
            f"({cluster['delta']:+.1f})"
        )
        comparison.sites[
            ["id", "score_a", "score_b", "score_delta", "rank_a", "rank_b", "moved_m"]
        ].round(1)
        """
    ),
    code(
        """
        comparison.pairs[
            ["a", "b", "distance_a", "distance_b", "distance_delta", "score_a", "score_b", "score_delta"]
        ].round(1)
        """
    ),
    code(
        """
        comparison.picks[
            ["status", "rank_a", "rank_b", "id_a", "id_b", "score_a", "score_b", "distance_m"]
        ].round(1)
        """
    ),
    code(
        """
        fig, axes = plt.subplots(1, 2, figsize=(13, 6.5), layout="constrained")
        plot_surface(comparison.candidates_a, axes[0], "A: the park as placed")
        plot_surface(comparison.candidates_b, axes[1], "B: the park 800 m south")
        plt.show()
        """
    ),
    md(
        """
        **Reading it.** Moving the park next to the proton and cancer centers raises every score
        and the cluster score; the proton center becomes the best-connected site. The picks shift
        towards the park's new position: a few stay, a few move by one or two cells, and some are
        replaced. The same comparison is what `siteplan compare STUDY_A STUDY_B` prints.
        """
    ),
    md(
        """
        ## 5. How stable are the answers? (sensitivity)

        The decay and its distances are choices. The sensitivity sweep re-scores the sites and the
        candidates under 25 scenarios: the rings scaled from 50 % to 150 %, each with the five decay rules (the
        smooth decays take their distances from the scaled rings). It reports

        * for the site ranking, **Kendall's tau** against the base ranking (1 = the same order,
          0 = unrelated, -1 = reversed) and each site's best and worst rank;
        * for the picks, how often each base pick survives: a scenario keeps a pick when one of its
          own picks lies within 200 m of it.
        """
    ),
    code(
        """
        sweep = siteplan.analyze_sensitivity(result, candidates=constrained)
        print(f"Kendall's tau over {len(sweep.scenarios)} scenarios: min {sweep.tau_min:.2f}, mean {sweep.tau_mean:.2f}")
        sweep.sites[["id", "base_rank", "min_rank", "max_rank", "base_score", "min_score", "max_score"]].round(1)
        """
    ),
    code(
        """
        stability = constrained.picks[["rank", "id", "score"]].assign(
            kept_in_share_of_scenarios=sweep.pick_stability
        )
        stability.round(2)
        """
    ),
    md(
        """
        **Reading it.** The ranking of the four existing sites does not change in any scenario
        (tau = 1): it is settled by the geometry, not by the decay. (The sweep keeps the measure;
        notebook 01 showed that measuring centre to centre swaps two sites.) For the picks, the
        share of scenarios that keep each one is the thing to read: a pick kept in nearly every
        scenario is a robust recommendation; one kept in half of them depends on how you weigh
        distance and deserves a closer look before it goes into a brief. Here the three rules
        confine the picks to a small area, so most are kept in nearly every scenario.
        """
    ),
]


NOTEBOOKS: dict[str, list[Cell]] = {
    "01-simz-proximity.ipynb": NB01,
    "02-your-own-layers.ipynb": NB02,
    "03-candidate-sites.ipynb": NB03,
    "04-who-is-served.ipynb": NB04,
}


def build(cells: list[Cell], stem: str) -> nbformat.NotebookNode:
    """Return a notebook of the given cells with stable ids and no outputs."""
    notebook = new_notebook()
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for index, (kind, source) in enumerate(cells):
        cell = new_markdown_cell(source) if kind == "markdown" else new_code_cell(source)
        cell.id = f"{stem[:2]}-{index:02d}"
        notebook.cells.append(cell)
    nbformat.validate(notebook)
    return notebook


def render(name: str) -> str:
    """Return the text of one notebook file as it is committed."""
    notebook = build(NOTEBOOKS[name], name)
    return nbformat.writes(notebook) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the notebooks, or with ``--check`` report the stale ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a notebook is stale")
    args = parser.parse_args(argv)
    stale = []
    for name in NOTEBOOKS:
        path = HERE / name
        text = render(name)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("stale notebooks (run notebooks/_build.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
