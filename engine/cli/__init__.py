"""The docker command line: parsing, dispatch, and one module per command group."""
