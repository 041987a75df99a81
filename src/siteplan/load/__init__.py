"""Load a study: study files, layers, validation, Chinese datums and the metric CRS."""
