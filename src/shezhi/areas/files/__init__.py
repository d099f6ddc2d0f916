"""Reading an area file (GeoJSON or zipped ESRI shapefile) into AreaFeatures.

Everything that can be told from one feature alone is checked here and
reported with the feature's code and its place in the file; how the features
fit together is ``validation``'s job. A feature that fails reading is left out
of the returned list. Geometry dicts are kept exactly as given so that an
export imports back identically.

Places in a file are counted from 1: "feature #1" is the first feature of a
GeoJSON file and "shapefile record 1" the first record of the .dbf.

``read`` holds the entry points; ``geojson`` and ``shapefiles`` the two formats
(``encoding`` a .dbf's text encoding); ``feature`` one feature's properties and
``geometry`` its polygons.
"""

from .read import read_area_bytes, read_area_file

__all__ = ["read_area_bytes", "read_area_file"]
