"""The HTTP face: the only package that imports Litestar. Thin handlers over the service layer."""
