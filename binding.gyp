{
  "targets": [
    {
      "target_name": "framesh_spawn",
      "sources": ["native/posix-spawn.c", "native/pipe-reader.c", "native/pty-reader.c"],
      "libraries": ["-lpthread"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
