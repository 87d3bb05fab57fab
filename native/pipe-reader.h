/* The command-output reader of native/pipe-reader.c, registered on the addon's exports by posix-spawn.c's Init. */
#ifndef FRAMESH_PIPE_READER_H
#define FRAMESH_PIPE_READER_H
#include <node_api.h>

void register_pipe_reader(napi_env env, napi_value exports);

#endif
