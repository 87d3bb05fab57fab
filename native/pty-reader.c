/*
 * framesh's terminal reader (docs/ARCHITECTURE.md, "The layers", server/pty/): a pseudo-terminal's
 * master read on a thread of its own, part of the same addon as posix-spawn.c.
 *
 * Why: the kernel hands a pty's output over at most ~4 KiB per read, and moves the next 4 KiB into place
 * only once the reader came back for it. Read from the event loop, every 4 KiB waited for the server to
 * frame, encrypt and write the last one (`cat` through framesh ran at 0.6-0.9 of `ssh -tt`). This thread
 * goes back to read() at once and gathers what arrives while the loop is busy, up to READER_CAP bytes;
 * the loop takes all of it in one piece. When the loop does not take (the channel's window is shut),
 * the thread stops reading at READER_CAP and the terminal's writer blocks, as with any full terminal.
 *
 * readPty(fd, onReadable) -> reader: reads a dup of fd (the caller's descriptor may be closed while the
 *   thread runs). onReadable() is called on the loop when bytes wait or the end came, once until the
 *   next takePty(). The reader does not keep the loop alive.
 * takePty(reader) -> a Buffer of everything gathered (empty when nothing is), or null once the end
 *   came (EIO: no slave side open any more; or a read error) and everything before it was taken.
 * stopPty(reader): ends the thread and closes its descriptor; what was not taken is dropped. Safe to
 *   call twice, and after the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <node_api.h>

#include "pty-reader.h"

/* Most bytes gathered and not taken: one data frame's worth, the largest write worth making. */
#define READER_CAP (256 * 1024)
/* One read: the kernel gives at most ~4 KiB per read of a pty; more is room to spare. */
#define READ_BYTES (64 * 1024)
/*
 * A read this long found the kernel's buffer full (it holds ~4 KiB), so more is likely on its way: the
 * loop is told only when GATHER_BYTES are gathered, or when nothing more came for GATHER_WAIT_NS. A
 * keystroke's echo or a short line is a short read and goes to the loop at once. Handing `cat`'s output
 * over in ~50 KiB pieces instead of ~12 KiB took a fifth of the CPU of both server and client per byte
 * at the same rate (docs/BENCHMARKS.md, 2026-12-02); the wait is added only where a burst of output
 * ends with a full read.
 */
#define FULL_READ 4000
#define GATHER_BYTES (64 * 1024)
#define GATHER_WAIT_NS 200000L
/* The thread's stack: it holds a few locals (its read buffer is on the heap); many terminals, little memory. */
#define READER_STACK (64 * 1024)

typedef struct {
  int fd;   /* the thread's own dup of the master */
  int wake; /* eventfd: stopPty() wakes a poll() with it */
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t room; /* take or stop: the thread may read again, or must end */
  char *gathered;
  size_t length;
  int ended;    /* no more bytes will come */
  int stopping; /* stopPty() was called */
  int notified; /* onReadable is due or running; no other until the next take */
  int joined;
  int released; /* the threadsafe function was let go */
  int owners;   /* the JS object and the threadsafe function: the last one gone frees the reader */
  napi_threadsafe_function on_readable;
} reader_t;

/* Under the lock: tell the loop, unless it already knows. */
static void notify_locked(reader_t *r) {
  if (r->notified) return;
  r->notified = 1;
  napi_call_threadsafe_function(r->on_readable, NULL, napi_tsfn_nonblocking);
}

static void end_locked(reader_t *r) {
  r->ended = 1;
  notify_locked(r);
}

static void *reader_main(void *arg) {
  reader_t *r = arg;
  char *chunk = malloc(READ_BYTES);
  /* The last read was a full one: more is likely on its way (see GATHER_WAIT_NS). */
  int streaming = 0;
  struct pollfd fds[2] = {{.fd = r->fd, .events = POLLIN}, {.fd = r->wake, .events = POLLIN}};
  for (;;) {
    pthread_mutex_lock(&r->lock);
    while (!r->stopping && r->length >= READER_CAP) pthread_cond_wait(&r->room, &r->lock);
    size_t room = READER_CAP - r->length;
    int stop = r->stopping;
    if (!chunk && !stop) end_locked(r);
    pthread_mutex_unlock(&r->lock);
    if (stop || !chunk) break;
    ssize_t n = read(r->fd, chunk, room < READ_BYTES ? room : READ_BYTES);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      /* Empty (the master is non-blocking, as node-pty and libuv set it). After a full read, wait a
       * little for the next 4 KiB before telling the loop; then hand over and wait for bytes or stop. */
      if (streaming) {
        struct timespec wait = {0, GATHER_WAIT_NS};
        streaming = 0;
        if (ppoll(fds, 2, &wait, NULL) > 0) continue;
      }
      pthread_mutex_lock(&r->lock);
      if (r->length > 0) notify_locked(r);
      pthread_mutex_unlock(&r->lock);
      if (poll(fds, 2, -1) >= 0 || errno == EINTR) continue; /* POLLHUP too: the next read says EIO */
    }
    pthread_mutex_lock(&r->lock);
    if (n > 0) {
      memcpy(r->gathered + r->length, chunk, (size_t)n);
      r->length += (size_t)n;
      streaming = n >= FULL_READ;
      if (!streaming || r->length >= GATHER_BYTES) notify_locked(r);
    } else {
      end_locked(r); /* 0, EIO (every slave closed, all read), a poll failure or another error */
    }
    pthread_mutex_unlock(&r->lock);
    if (n <= 0) break;
  }
  free(chunk);
  return NULL;
}

/* On the loop: the JS callback, unless the reader was stopped meanwhile. */
static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  (void)data;
  reader_t *r = context;
  if (!env || !callback) return;
  pthread_mutex_lock(&r->lock);
  int stopping = r->stopping;
  pthread_mutex_unlock(&r->lock);
  if (stopping) return;
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  napi_call_function(env, undefined, callback, 0, NULL, NULL);
}

static void join_reader(reader_t *r) {
  if (r->joined) return;
  pthread_mutex_lock(&r->lock);
  r->stopping = 1;
  pthread_cond_signal(&r->room);
  pthread_mutex_unlock(&r->lock);
  uint64_t one = 1;
  if (write(r->wake, &one, sizeof one) < 0) { /* the eventfd cannot be full at 1 */
  }
  pthread_join(r->thread, NULL);
  r->joined = 1;
  close(r->fd);
  close(r->wake);
}

static void release_callback(reader_t *r) {
  if (r->released) return;
  r->released = 1;
  napi_release_threadsafe_function(r->on_readable, napi_tsfn_abort);
}

static void free_reader(reader_t *r) {
  pthread_mutex_destroy(&r->lock);
  pthread_cond_destroy(&r->room);
  free(r->gathered);
  free(r);
}

/*
 * One of the reader's two owners is gone. The thread is ended first: the threadsafe function it calls
 * must outlive it. Then the function is let go, unless it is the owner gone; the last owner frees.
 */
static void owner_gone(reader_t *r, int callback_gone) {
  join_reader(r);
  if (callback_gone)
    r->released = 1;
  else
    release_callback(r);
  if (--r->owners == 0) free_reader(r);
}

/* The JS object was collected. */
static void finalize_reader(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  owner_gone(data, 0);
}

/*
 * The threadsafe function is finalized: after stopPty or the object's collection, or first of all when
 * the environment is torn down (process exit), while the thread may still be running.
 */
static void finalize_callback(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  owner_gone(data, 1);
}

/* A reader whose thread never started: its descriptors and memory go. */
static void discard_unstarted(reader_t *r) {
  if (r->fd >= 0) close(r->fd);
  if (r->wake >= 0) close(r->wake);
  free_reader(r);
}

static reader_t *unwrap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  void *data = NULL;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  if (argc < 1 || napi_unwrap(env, arg, &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "expected a reader from readPty()");
    return NULL;
  }
  return data;
}

static napi_value ReadPty(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  int32_t fd = -1;
  napi_valuetype kind = napi_undefined;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, args[0], &fd) != napi_ok || fd < 0 ||
      napi_typeof(env, args[1], &kind) != napi_ok || kind != napi_function) {
    napi_throw_type_error(env, NULL, "readPty(fd, onReadable)");
    return NULL;
  }
  reader_t *r = calloc(1, sizeof(reader_t));
  if (!r || !(r->gathered = malloc(READER_CAP))) {
    free(r);
    napi_throw_error(env, "ENOMEM", "readPty: out of memory");
    return NULL;
  }
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->room, NULL);
  int err = 0;
  r->wake = -1;
  if ((r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) err = errno;
  if (!err && (r->wake = eventfd(0, EFD_CLOEXEC)) < 0) err = errno;
  /* Non-blocking (libuv made node-pty's master so already; the flag is the open file's, shared by the
   * dup): a read that would block comes back, so stopPty() can always end the thread through poll(). */
  int flags = err ? -1 : fcntl(r->fd, F_GETFL);
  if (!err && (flags < 0 || fcntl(r->fd, F_SETFL, flags | O_NONBLOCK) < 0)) err = errno;
  if (err) {
    discard_unstarted(r);
    napi_throw_error(env, err == EBADF ? "EBADF" : err == EMFILE || err == ENFILE ? "EMFILE" : "EIO",
                     "readPty: cannot set up a descriptor for the terminal");
    return NULL;
  }
  napi_value name, reader;
  napi_create_string_utf8(env, "framesh:readPty", NAPI_AUTO_LENGTH, &name);
  napi_create_object(env, &reader);
  if (napi_create_threadsafe_function(env, args[1], NULL, name, 0, 1, r, finalize_callback, r, call_js,
                                      &r->on_readable) != napi_ok) {
    discard_unstarted(r);
    napi_throw_error(env, NULL, "readPty: cannot create its callback");
    return NULL;
  }
  napi_unref_threadsafe_function(env, r->on_readable);
  r->owners = 1; /* the threadsafe function; the JS object below is the second */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, READER_STACK);
  int started = pthread_create(&r->thread, &attr, reader_main, r);
  pthread_attr_destroy(&attr);
  if (started != 0) {
    r->joined = 1;
    close(r->fd);
    close(r->wake);
    release_callback(r);
    napi_throw_error(env, "EAGAIN", "readPty: cannot start its thread");
    return NULL;
  }
  r->owners = 2;
  napi_wrap(env, reader, r, finalize_reader, NULL, NULL);
  return reader;
}

static napi_value TakePty(napi_env env, napi_callback_info info) {
  reader_t *r = unwrap(env, info);
  if (!r) return NULL;
  napi_value result;
  pthread_mutex_lock(&r->lock);
  if (r->length == 0 && r->ended) {
    pthread_mutex_unlock(&r->lock);
    napi_get_null(env, &result);
    return result;
  }
  void *copy = NULL;
  napi_status status = napi_create_buffer_copy(env, r->length, r->gathered, &copy, &result);
  if (status == napi_ok) {
    r->length = 0;
    r->notified = 0;
    /* Past the end there is only null left to take: say so at once. */
    if (r->ended) notify_locked(r);
    pthread_cond_signal(&r->room);
  }
  pthread_mutex_unlock(&r->lock);
  return status == napi_ok ? result : NULL;
}

static napi_value StopPty(napi_env env, napi_callback_info info) {
  reader_t *r = unwrap(env, info);
  if (!r) return NULL;
  join_reader(r);
  release_callback(r);
  return NULL;
}

void register_pty_reader(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"readPty", NULL, ReadPty, NULL, NULL, NULL, napi_default, NULL},
      {"takePty", NULL, TakePty, NULL, NULL, NULL, napi_default, NULL},
      {"stopPty", NULL, StopPty, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 3, props);
}
