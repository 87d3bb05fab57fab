/*
 * framesh's command-output reader (docs/ARCHITECTURE.md, "Spawning"): a command's stdout or stderr pipe
 * read on the event loop by a uv_poll, into a Buffer the caller lends; part of the same addon as
 * posix-spawn.c, used by server/process/pipe-output.ts.
 *
 * Why not a net.Socket over the pipe, as Node would make: each one costs a pipe handle, a Duplex's two
 * stream states, and the guess of the descriptor's type at construction and its close at the end, ~60 us
 * of the loop per socket; two per command were a quarter of the server's CPU in 100 clients x `echo hi`
 * (a CPU profile, docs/BENCHMARKS.md, 2026-12-03). A reader here is one small struct and one poll handle.
 *
 * readPipe(fd, onRead) -> reader: takes over fd (made non-blocking by uv_poll_init, closed by the
 *   reader; when readPipe throws, fd is still the caller's) and reads nothing until pipeInto() and
 *   pipeResume(). onRead(n) is called on the loop after each read: n > 0 bytes were read into the start
 *   of the lent buffer; 0 is the end of the pipe; -errno a read error.
 *   After 0 or an error the reader is closed already (descriptor and poll), and onRead is not called
 *   again. onRead returning false stops reading until pipeResume(); anything else goes on reading into
 *   the same buffer. A reading reader keeps the loop alive, as a flowing socket does; a paused one not.
 * pipeInto(reader, buffer): the following reads go into `buffer` (held until replaced or closed). Called
 *   from onRead too, to switch buffers between two reads.
 * pipeResume(reader): reads again (or for the first time); a no-op while reading or after the end. Called
 *   while onRead runs (or the ticks Node runs after it), it overrides onRead's false.
 * pipeClose(reader): stops reading and closes the descriptor; onRead is not called again. Safe to call
 *   twice, and after the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

#include "napi-args.h"
#include "pipe-reader.h"

/* Reads per wake-up of the poll, at most (libuv's streams read 32 times). */
#define READS_PER_WAKE 32

typedef struct {
  uv_poll_t poll; /* first member: the uv handle's address is the struct's */
  napi_env env;
  napi_ref callback;
  napi_ref target;
  napi_async_context async;
  char *data;
  size_t length;
  int fd;
  int polling;
  int closed;
  /*
   * Inside onRead, which includes the ticks and microtasks Node runs before napi_make_callback returns:
   * a pipeClose() then leaves the callback and its async context to deliver() to let go, and a
   * pipeResume() (a stream's _read from a tick) is remembered, so onRead's false does not pause a
   * reader that was asked to go on meanwhile.
   */
  int in_call;
  int resume_asked;
  /* The JS object and the poll handle: the last of them to go frees the struct. */
  int owners;
} pipe_reader_t;

static void release_owner(pipe_reader_t *r) {
  if (--r->owners == 0) free(r);
}

static void on_poll_closed(uv_handle_t *handle) { release_owner((pipe_reader_t *)handle); }

/* The poll goes, then the descriptor it watched (uv_close stops the poll at once). Idempotent. */
static void close_pipe(pipe_reader_t *r) {
  if (r->closed) return;
  r->closed = 1;
  r->polling = 0;
  uv_close((uv_handle_t *)&r->poll, on_poll_closed);
  if (r->fd >= 0) close(r->fd);
  r->fd = -1;
}

/* Lets go of the callback, the lent buffer and the async context: after the last call of onRead. */
static void release_js(pipe_reader_t *r) {
  if (r->callback) napi_delete_reference(r->env, r->callback);
  if (r->target) napi_delete_reference(r->env, r->target);
  if (r->async) napi_async_destroy(r->env, r->async);
  r->callback = r->target = NULL;
  r->async = NULL;
  r->data = NULL;
  r->length = 0;
}

/* One read into the lent buffer: bytes, 0 at the end, -errno; -EAGAIN when nothing waits. */
static ssize_t read_pipe(pipe_reader_t *r) {
  ssize_t n;
  do n = read(r->fd, r->data, r->length);
  while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : n;
}

/* Calls onRead(n); returns 1 when reading goes on (n > 0 and onRead did not pause or close the reader). */
static int deliver(pipe_reader_t *r, ssize_t n) {
  napi_env env = r->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn = NULL, recv, arg, result = NULL;
  napi_get_reference_value(env, r->callback, &fn);
  napi_get_global(env, &recv); /* napi_make_callback wants an object */
  napi_create_int32(env, (int32_t)n, &arg);
  napi_async_context async = r->async;
  int last = n <= 0;
  if (last) {
    /* Closed before the call: whatever onRead does, this reader is done. The async context outlives the call. */
    close_pipe(r);
    r->async = NULL;
    release_js(r);
  }
  r->in_call = 1;
  r->resume_asked = 0;
  napi_status called = fn ? napi_make_callback(env, async, recv, fn, 1, &arg, &result) : napi_ok;
  r->in_call = 0;
  if (called == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  if (last) {
    napi_async_destroy(env, async);
  } else if (r->closed) {
    release_js(r); /* pipeClose() from inside onRead */
  } else if (r->polling) {
    bool more = true;
    napi_valuetype kind = napi_undefined;
    if (result && napi_typeof(env, result, &kind) == napi_ok && kind == napi_boolean)
      napi_get_value_bool(env, result, &more);
    if (!more && !r->resume_asked) {
      uv_poll_stop(&r->poll);
      r->polling = 0;
    }
  }
  napi_close_handle_scope(env, scope);
  return !last && !r->closed && r->polling;
}

/*
 * The pipe is readable: read and deliver until nothing is left (EAGAIN), the end, or onRead pauses, at
 * most READS_PER_WAKE times; a writer faster than the reader then costs one wait for the loop per
 * READS_PER_WAKE reads, not per read. A short read is not taken as drained, as libuv's streams take it:
 * a command that wrote its last line and exited has its end waiting behind that line, and reading it in
 * the same turn lets its output, eof and exit leave in one write instead of two (`echo hi`: one read
 * more, one socket write and one client wake-up less).
 */
static void on_readable(uv_poll_t *handle, int status, int events) {
  pipe_reader_t *r = (pipe_reader_t *)handle;
  (void)events;
  for (int i = 0; i < READS_PER_WAKE; i++) {
    ssize_t n = status < 0 ? status : read_pipe(r); /* libuv's codes are negative errnos on Unix */
    if (n == -EAGAIN) return; /* nothing (more) to read */
    if (!deliver(r, n)) return;
  }
}

/* The JS object was collected: normally long after the end; if not, the pipe closes now. */
static void finalize_reader(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  pipe_reader_t *r = data;
  close_pipe(r);
  release_js(r);
  release_owner(r);
}

static pipe_reader_t *unwrap(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_unwrap(env, value, &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "expected a reader from readPipe()");
    return NULL;
  }
  return data;
}

/* The reader that pipeResume() and pipeClose() take as their one argument, or NULL (a TypeError thrown). */
static pipe_reader_t *reader_arg(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "expected a reader from readPipe()");
    return NULL;
  }
  return unwrap(env, arg);
}

static napi_value ReadPipe(napi_env env, napi_callback_info info) {
  napi_value args[2];
  int32_t fd;
  if (!fd_and_callback(env, info, args, &fd, "readPipe(fd, onRead)")) return NULL;
  pipe_reader_t *r = calloc(1, sizeof(pipe_reader_t));
  uv_loop_t *loop = NULL;
  if (!r) {
    napi_throw_error(env, "ENOMEM", "readPipe: out of memory");
    return NULL;
  }
  r->env = env;
  r->fd = fd;
  napi_value reader, name;
  napi_create_object(env, &reader);
  napi_create_string_utf8(env, "framesh:readPipe", NAPI_AUTO_LENGTH, &name);
  /* uv_poll_init also makes the descriptor non-blocking. */
  int err = napi_get_uv_event_loop(env, &loop) != napi_ok || !loop ? UV_EINVAL : uv_poll_init(loop, &r->poll, fd);
  if (err != 0) {
    free(r);
    /* EPERM: epoll cannot watch this kind of file (a regular file, say). */
    napi_throw_error(env, uv_err_name(err), "readPipe: cannot watch the pipe");
    return NULL;
  }
  r->owners = 1; /* the poll handle */
  if (napi_create_reference(env, args[1], 1, &r->callback) != napi_ok ||
      napi_async_init(env, reader, name, &r->async) != napi_ok ||
      napi_wrap(env, reader, r, finalize_reader, NULL, NULL) != napi_ok) {
    r->fd = -1; /* a readPipe that throws leaves the descriptor to its caller */
    close_pipe(r);
    release_js(r);
    napi_throw_error(env, "EIO", "readPipe: cannot set up its callback");
    return NULL;
  }
  r->owners = 2;
  return reader;
}

static napi_value PipeInto(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  pipe_reader_t *r = argc < 2 ? NULL : unwrap(env, args[0]);
  if (!r) return NULL;
  bool is_buffer = false;
  void *data = NULL;
  size_t length = 0;
  if (napi_is_buffer(env, args[1], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, args[1], &data, &length) != napi_ok || length == 0) {
    /* A read into no room would return 0, which means the end. */
    napi_throw_type_error(env, NULL, "pipeInto(reader, a non-empty Buffer)");
    return NULL;
  }
  if (r->closed) return NULL;
  napi_ref target;
  if (napi_create_reference(env, args[1], 1, &target) != napi_ok) {
    napi_throw_error(env, "ENOMEM", "pipeInto: cannot hold the buffer");
    return NULL;
  }
  if (r->target) napi_delete_reference(env, r->target);
  r->target = target;
  r->data = data;
  r->length = length;
  return NULL;
}

static napi_value PipeResume(napi_env env, napi_callback_info info) {
  pipe_reader_t *r = reader_arg(env, info);
  if (r && r->in_call) r->resume_asked = 1;
  if (!r || r->closed || r->polling) return NULL;
  if (!r->data) {
    napi_throw_error(env, "EINVAL", "pipeResume: no buffer to read into (pipeInto first)");
    return NULL;
  }
  int err = uv_poll_start(&r->poll, UV_READABLE, on_readable);
  if (err != 0) {
    napi_throw_error(env, uv_err_name(err), "pipeResume: cannot watch the pipe");
    return NULL;
  }
  r->polling = 1;
  return NULL;
}

static napi_value PipeClose(napi_env env, napi_callback_info info) {
  pipe_reader_t *r = reader_arg(env, info);
  if (!r) return NULL;
  close_pipe(r);
  if (!r->in_call) release_js(r);
  return NULL;
}

void register_pipe_reader(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"readPipe", NULL, ReadPipe, NULL, NULL, NULL, napi_default, NULL},
      {"pipeInto", NULL, PipeInto, NULL, NULL, NULL, napi_default, NULL},
      {"pipeResume", NULL, PipeResume, NULL, NULL, NULL, napi_default, NULL},
      {"pipeClose", NULL, PipeClose, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 4, props);
}
