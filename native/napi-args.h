/* Argument checks the addon's readers share (native/pipe-reader.c, native/pty-reader.c). */
#ifndef FRAMESH_NAPI_ARGS_H
#define FRAMESH_NAPI_ARGS_H
#include <node_api.h>

/*
 * The (fd, callback) arguments of readPipe() and readPty(): true with args[0..1] and *fd set, or false
 * with a TypeError thrown that shows `usage`.
 */
static inline int fd_and_callback(napi_env env, napi_callback_info info, napi_value args[2], int32_t *fd,
                                  const char *usage) {
  size_t argc = 2;
  napi_valuetype kind = napi_undefined;
  *fd = -1;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, args[0], fd) != napi_ok || *fd < 0 ||
      napi_typeof(env, args[1], &kind) != napi_ok || kind != napi_function) {
    napi_throw_type_error(env, NULL, usage);
    return 0;
  }
  return 1;
}

#endif
