"""The command dashboard's pages (驾驶舱)."""

urlpatterns: list = []
