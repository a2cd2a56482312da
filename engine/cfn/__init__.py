"""CloudFormation: import a template as a topology, export a topology as a template (issue 16).

parse reads YAML/JSON with cfn-lint's decoder, resolve evaluates intrinsic functions with the
parameters' defaults, import_ (with links and scaling) maps resources to nodes and connections,
export writes a template that cfn-lint accepts.
"""
