"""Reading and writing files: pandas lives here and nowhere deeper."""
