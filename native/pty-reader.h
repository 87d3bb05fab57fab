/* The terminal reader of native/pty-reader.c, registered on the addon's exports by posix-spawn.c's Init. */
#ifndef FRAMESH_PTY_READER_H
#define FRAMESH_PTY_READER_H
#include <node_api.h>

void register_pty_reader(napi_env env, napi_value exports);

#endif
