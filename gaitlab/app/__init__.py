"""The Streamlit app's pages (layout and widgets) and the plain code behind them.

Pages (``guide``, ``analyse``, ``webcam``, ``history``) hold widgets only. ``results`` keeps
results on disk and runs analyses in the background, ``present`` turns a result folder into
display rows (labels, units, reference ranges from the thresholds file), ``charts`` builds
the Vega-Lite charts; none of those three imports Streamlit. ``common`` holds the cached
loaders and small widgets the pages share.
"""
