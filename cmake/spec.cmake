# podns spec: rewriting an OCI runtime config so that its container joins a
# sandbox (library), and the subcommand over it (CLI).
target_sources(podns_objects PRIVATE
  src/lib/spec.cc
  src/lib/atomic_file.cc
)
target_sources(podns-cli PRIVATE
  src/cli/cmd_spec.cc
)
