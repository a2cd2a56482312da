"""The inspector's forms: number fields, lists and small forms for the props that are JSON objects in the file."""
