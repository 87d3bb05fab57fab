{
  "targets": [
    {
      "target_name": "framesh_spawn",
      "sources": ["native/posix-spawn.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
