"""gaitlab's app in a checkout: ``streamlit run app.py`` (the same as ``gaitlab app``).

The layout is :mod:`gaitlab.app.main`, shipped inside the package.
"""

from gaitlab.app.main import main

main()
