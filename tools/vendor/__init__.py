"""Steps that prepare the front-end files vendored under salesflow/static/vendor."""
