"""The cells of notebook 04 (who is served), written by ``_build.py``."""

from __future__ import annotations

import textwrap

Cell = tuple[str, str]


def md(text: str) -> Cell:
    """Return a markdown cell."""
    return ("markdown", textwrap.dedent(text).strip("\n"))


def code(text: str) -> Cell:
    """Return a code cell."""
    return ("code", textwrap.dedent(text).strip("\n"))


NB04: list[Cell] = [
    md(
        """
        # 04 · Who is served, and where should the next facility go to serve the most?

        Notebooks 01 and 03 asked how close the sites are **to each other**. A health or
        cluster plan also asks how close they are **to the people they serve**:

        - how many people live within 500 m, 1 km, 2 km, 5 km of a site (**coverage**);
        - how many people each site's rings hold (**catchments**);
        - which places have the least access per unit of supply (an **accessibility index**,
          here the two-step floating catchment area, 2SFCA);
        - where N new facilities should go to **cover the most people** within a service radius
          (the maximal covering location problem, **MCLP**), compared with the greedy top-N picks
          of notebook 03, which maximise closeness to the existing sites instead.

        > **The demand here is a DEMO, not data.** No census figures for the towns around the zone
        > are bundled yet (none could be cited), so this notebook invents a **uniform lattice of
        > demand points 500 m apart, 1,000 people each**, around the medical zone. It shows the
        > method; it says nothing about where people actually live. The sites are schematic too
        > (±1 km, see notebook 01). Replace both with real layers before drawing conclusions.
        """
    ),
    code(
        """
        import json
        import shutil
        import tempfile
        from pathlib import Path

        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd

        import siteplan
        from siteplan.candidates.plan import plan_facilities

        # Every file this notebook writes goes into a fresh temporary folder.
        work = Path(tempfile.mkdtemp(prefix="siteplan-04-"))
        print("writing into", work)
        """
    ),
    md(
        """
        ## 1. Add a demand layer to a copy of the bundled study

        A demand layer is any point or polygon layer with a population (or other demand) field,
        declared with `role = "demand"` in the study file. We copy the bundled study into the
        temporary folder (the bundled files are not touched), write the demo lattice as GeoJSON
        and append one `[[layers]]` table. Every demo feature says what it is in its `placement`
        and `source` properties, and the reports repeat it in their caveat.
        """
    ),
    code(
        """
        bundled = siteplan.bundled_study_path()
        study_dir = work / "simz-demo-demand"
        shutil.copytree(bundled.parent, study_dir, ignore=shutil.ignore_patterns("_*.py"))

        # DEMO demand: a lattice about 500 m apart (0.00525° of longitude, 0.0045° of latitude
        # here), 1,000 people per point. Invented for illustration: NOT census data.
        lons = np.arange(121.575, 121.665 + 1e-9, 0.00525)
        lats = np.arange(31.060, 31.135 + 1e-9, 0.0045)
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                "properties": {
                    "id": f"demo_{i:02d}_{j:02d}",
                    "name": f"demo point {i:02d}/{j:02d}",
                    "population": 1000,
                    "placement": "schematic",
                    "source": "DEMO: invented lattice, 1,000 people per point, not census data",
                },
            }
            for i, lat in enumerate(lats)
            for j, lon in enumerate(lons)
        ]
        (study_dir / "demo_demand.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
        )
        study_file = study_dir / "study.toml"
        study_file.write_text(
            study_file.read_text(encoding="utf-8")
            + '\\n[[layers]]\\npath = "demo_demand.geojson"\\nrole = "demand"\\n'
            + 'population_field = "population"\\n',
            encoding="utf-8",
        )
        print(f"{len(features)} demo demand points, {1000 * len(features):,} people in all")
        """
    ),
    md(
        """
        ## 2. Coverage and catchments

        `siteplan.analyze_access` measures the distance from every demand point to every site
        (edge to edge, as the study says), then reports the demand within each ring of **at
        least one** site (coverage, cumulative), and per site the demand within each of its
        rings (its catchment; the catchments overlap, so they add up to more than the coverage)
        and the demand for which it is the nearest site (these do add up to the total).
        """
    ),
    code(
        """
        access = siteplan.analyze_access(study_file)
        report = access.to_dict()
        print(report["caveat"][:400], "...")
        pd.DataFrame(report["coverage"]).style.format({"ring": "{:,.0f} m", "demand": "{:,.0f}", "share": "{:.1%}"})
        """
    ),
    code(
        """
        sites = pd.DataFrame(
            [{"site": s["id"], **{f"within {r} m": v for r, v in s["catchment"].items()},
              "nearest for": s["nearest_demand"]} for s in report["sites"]]
        ).set_index("site")
        assert sites["nearest for"].sum() == access.coverage.total  # every point has one nearest site
        sites.style.format("{:,.0f}")
        """
    ),
    md(
        """
        ## 3. Who has the least access?

        The **2SFCA index** first gives each site a supply-to-demand ratio R_j: its supply (its
        capacity, or 1 when the layer gives none, as here) divided by the demand within the
        threshold d0 (the first ring, 500 m). A demand point's index A_i is the sum of R_j over
        the sites within d0 of it. Points beyond d0 of every site score 0. The formulas, and the
        `gravity` and `e2sfca` alternatives, are in docs/commands/access.md; tests check the
        values against PySAL `access`.

        With a 500 m threshold only the points right around the four sites have any access; a
        gravity index, weighted by the study's decay, spreads further. The map below draws the
        points by their index, in metres in the study's CRS (UTM zone 51N).
        """
    ),
    code(
        """
        gravity = siteplan.analyze_access(access.places.result, index="gravity")
        points = access.places.points.to_crs(access.places.result.crs)
        footprints = access.places.result.sites_m

        fig, axes = plt.subplots(1, 2, figsize=(12, 5.5), sharey=True)
        for ax, res, title in ((axes[0], access, "2SFCA (d0 = 500 m)"), (axes[1], gravity, "gravity (rings decay)")):
            shown = points.assign(index=[d["index"] for d in res.to_dict()["demand"]])
            shown.plot(ax=ax, column="index", cmap="YlGnBu", markersize=18, legend=True,
                       legend_kwds={"shrink": 0.7, "label": "index"})
            footprints.boundary.plot(ax=ax, color="black", linewidth=1.2)
            ax.set_title(title)
            ax.set_xlabel("easting (m)")
        axes[0].set_ylabel("northing (m)")
        plt.tight_layout()
        plt.show()
        zero = np.mean([d["index"] == 0 for d in report["demand"]])
        print(f"2SFCA: {zero:.0%} of the points have index 0 (no site within 500 m)")
        """
    ),
    md(
        """
        ## 4. Where should three new facilities go? Greedy against MCLP

        Notebook 03's **greedy** picks are the best-scoring candidate cells, at least 500 m apart:
        the cells **closest to the existing sites**. That answers "where is a new building best
        connected to the cluster?", not "where does it serve the most people?".

        **MCLP** answers the second question: choose N new facilities among the candidate cells
        so that the demand within the service radius R of **an open facility** (an existing site
        or a new one) is as large as possible. siteplan solves it exactly (HiGHS through SciPy,
        MIP gap 0); tests check its optimum against spopt and against trying every choice on
        small instances. Here N = 3 and R = 1 km; the candidates are 100 m cells inside the zone.
        """
    ),
    code(
        """
        result = access.places.result
        cres = siteplan.score_candidates(result, cell_m=100, top=3, min_separation_m=500, progress=False)
        planned = plan_facilities(cres, "mclp", service=1000)
        plan = planned.plan.to_dict()
        comparison = pd.DataFrame(
            {
                "greedy": [", ".join(plan["greedy"]["picks"]), plan["greedy"]["coverage_share"],
                           plan["greedy"]["mean_cost"], plan["greedy"]["worst_cost"]],
                "mclp": [", ".join(planned.ids(planned.pick_index)), plan["coverage_share"],
                         plan["mean_cost"], plan["worst_cost"]],
            },
            index=["picks", "covered within 1 km", "mean distance (m)", "worst distance (m)"],
        )
        print(f"solver: {planned.parameters['method']}, gap {plan['gap']}, "
              f"{plan['candidates_in_model']:,} candidates in the model")
        print(f"MCLP covers {plan['covered_demand_gained']:,.0f} more people than the greedy picks "
              f"({plan['coverage_gained']:.1%} of the demand)")
        comparison
        """
    ),
    code(
        """
        def plot_picks(ax, picks, title):
            \"\"\"Demand covered within 1 km (green) or not (red), the sites, the picks and their 1 km circles.\"\"\"
            xy = np.column_stack([cres.x[picks], cres.y[picks]])
            # distance to the nearest open facility: an existing footprint (edge) or a pick
            dist = np.min(
                [points.distance(g).to_numpy() for g in footprints.geometry]
                + [np.hypot(points.geometry.x - x, points.geometry.y - y).to_numpy() for x, y in xy],
                axis=0,
            )
            covered = dist <= 1000
            points[~covered].plot(ax=ax, color="#d73027", markersize=10)
            points[covered].plot(ax=ax, color="#1a9850", markersize=10)
            footprints.boundary.plot(ax=ax, color="black", linewidth=1.2)
            for k, (x, y) in enumerate(xy, start=1):
                ax.add_patch(plt.Circle((x, y), 1000, fill=False, color="#7b3294", linestyle="--"))
                ax.annotate(str(k), (x, y), ha="center", va="center", color="white", fontsize=8,
                            bbox={"boxstyle": "circle", "fc": "#08306b"})
            ax.set_title(f"{title}: {covered.mean():.0%} within 1 km")
            ax.set_aspect("equal")


        greedy_picks = np.asarray([cres.ids().index(i) for i in plan["greedy"]["picks"]])
        fig, axes = plt.subplots(1, 2, figsize=(12, 5.5), sharey=True)
        plot_picks(axes[0], greedy_picks, "greedy top 3")
        plot_picks(axes[1], planned.pick_index, "MCLP, N = 3, R = 1 km")
        plt.tight_layout()
        plt.show()
        """
    ),
    md(
        """
        The greedy picks sit among the existing sites, where the demand is already covered; the
        MCLP picks move out to where people are not yet within 1 km of anything. Both are right
        answers to different questions: choose the method that matches the brief (`siteplan
        candidates --method greedy|mclp|pmedian|pcenter`). `pmedian` minimises the mean distance
        instead, `pcenter` the worst one.

        ## 5. The same on the map

        `siteplan.write_map(..., access=...)` (the CLI: `siteplan access --map PATH.html`) draws
        the demand coloured by its index and each site's catchment bands with their demand in
        the tooltip; a planned candidates result (`siteplan candidates --method mclp --map
        PATH.html`) draws the picks with their coverage. Open the files in a browser.
        """
    ),
    code(
        """
        access_map = siteplan.write_map(result, work / "access_map.html", access=access, offline=True)
        plan_map = siteplan.write_map(result, work / "mclp_map.html", candidates=planned, offline=True)
        print(access_map)
        print(plan_map)
        """
    ),
    md(
        """
        **Before relying on any of this**, replace the demo lattice with a real demand layer
        (census counts per neighbourhood, as points or polygons; `spread_cell_m` spreads a
        polygon's demand over a grid by area) and the schematic sites with surveyed ones, and
        consider travel along the road network (`--measure network` or `time`) instead of
        straight lines.
        """
    ),
]
