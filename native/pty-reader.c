/*
 * framesh's terminal reader (docs/ARCHITECTURE.md, "The layers", server/pty/): a pseudo-terminal's
 * master, read on the event loop while the terminal is quiet and on a thread of its own during a burst
 * of output; part of the same addon as posix-spawn.c.
 *
 * Why a thread: the kernel hands a pty's output over at most ~4 KiB per read, and moves the next 4 KiB
 * into place only once the reader came back for it. Read from the event loop, every 4 KiB waited for the
 * server to frame, encrypt and write the last one (`cat` through framesh ran at 0.6-0.9 of `ssh -tt`).
 * The thread goes back to read() at once and gathers what arrives while the loop is busy, up to
 * READER_CAP bytes; the loop takes all of it in one piece. When the loop does not take (the channel's
 * window is shut), reading stops at READER_CAP and the terminal's writer blocks, as with any full terminal.
 *
 * Why the loop while quiet: a keystroke's echo read by the thread woke two threads in turn (the reader,
 * then the loop through the threadsafe function), which on this VM cost ~0.13 ms of a ~0.45 ms round
 * trip beside the loop reading it itself (docs/BENCHMARKS.md, 2026-12-02). So the master is watched by
 * a uv_poll on the loop (MODE_LOOP); a read there that finds the kernel's buffer full (FULL_READ) hands
 * reading to the thread (MODE_THREAD), and the thread hands it back once the burst is over (nothing new
 * for GATHER_WAIT_NS after a full read, or nothing at all after a short one). Exactly one of the two
 * reads at any time: the mode changes under the lock, LOOP -> THREAD on the loop (which stops polling
 * first), THREAD -> TO_LOOP on the thread (which then only waits), TO_LOOP -> LOOP on the loop (which
 * then polls again; the poll is level-triggered, so bytes that came meanwhile are seen at once).
 *
 * readPty(fd, onReadable) -> reader: reads a dup of fd (the caller's descriptor may be closed while the
 *   reader runs). onReadable() is called on the loop when bytes wait or the end came, once until the
 *   next takePty(). The reader does not keep the loop alive.
 * takePty(reader) -> a Buffer of everything gathered (empty when nothing is), or null once the end
 *   came (EIO: no slave side open any more; or a read error) and everything before it was taken.
 * stopPty(reader): ends the thread, the poll and the descriptor; what was not taken is dropped. Safe to
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
#include <uv.h>

#include "napi-args.h"
#include "pty-reader.h"

/* Most bytes gathered and not taken: one data frame's worth, the largest write worth making. */
#define READER_CAP (256 * 1024)
/* One read: the kernel gives at most ~4 KiB per read of a pty; more is room to spare. */
#define READ_BYTES (64 * 1024)
/*
 * A read this long found the kernel's buffer full (it holds ~4 KiB), so more is likely on its way: read
 * on the loop, it hands reading to the thread; read on the thread, the loop is told only when
 * GATHER_BYTES are gathered, or when nothing more came for GATHER_WAIT_NS (and then reading goes back to
 * the loop). A keystroke's echo or a short line is a short read and goes to JS at once. Handing `cat`'s output
 * over in ~50 KiB pieces instead of ~12 KiB took a fifth of the CPU of both server and client per byte
 * at the same rate (docs/BENCHMARKS.md, 2026-12-02); the wait is added only where a burst of output
 * ends with a full read.
 */
#define FULL_READ 4000
#define GATHER_BYTES (64 * 1024)
#define GATHER_WAIT_NS 200000L
/* The thread's stack: a few locals (its read buffer is on the heap); many terminals, little memory. */
#define READER_STACK (64 * 1024)

enum { MODE_LOOP, MODE_THREAD, MODE_TO_LOOP };

typedef struct {
  int fd;   /* the reader's own dup of the master */
  int wake; /* eventfd: stopPty() wakes the thread's poll() with it */
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t room; /* taken, stopping, or MODE_THREAD: the thread may read again, or must end */
  char *gathered;
  size_t length;
  int mode;     /* who reads: the loop, the thread, or the thread handing back to the loop */
  int ended;    /* no more bytes will come */
  int stopping; /* stopPty() was called */
  int notified; /* onReadable is due or running; no other until the next take */
  int joined;
  int released; /* the threadsafe function was let go */
  int owners;   /* the JS object, the threadsafe function, the poll handle: the last one gone frees */
  napi_threadsafe_function on_readable;
  /* Touched only on the loop: */
  napi_env env;
  napi_ref callback;        /* onReadable, called by the poll */
  napi_async_context async; /* for those calls, as for any callback from native code */
  uv_poll_t poll;
  int polling;
  int poll_closing;
} reader_t;

/* What a threadsafe call carries: bytes wait (or the end came), or the thread handed reading back. */
static char readable_message, to_loop_message;

/* Under the lock, off the loop: tell the loop, unless it already knows. */
static void notify_locked(reader_t *r) {
  if (r->notified) return;
  r->notified = 1;
  napi_call_threadsafe_function(r->on_readable, &readable_message, napi_tsfn_nonblocking);
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
    int was_reading = r->mode == MODE_THREAD;
    while (!r->stopping && (r->mode != MODE_THREAD || r->length >= READER_CAP))
      pthread_cond_wait(&r->room, &r->lock);
    /* The loop hands over after a full read of its own: start as in the middle of a burst. */
    if (!was_reading) streaming = 1;
    size_t room = READER_CAP - r->length;
    int stop = r->stopping;
    if (!chunk && !stop) end_locked(r);
    pthread_mutex_unlock(&r->lock);
    if (stop || !chunk) break;
    ssize_t n = read(r->fd, chunk, room < READ_BYTES ? room : READ_BYTES);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      /* Empty (the master is non-blocking). After a full read, wait a little for the next 4 KiB. */
      if (streaming) {
        struct timespec wait = {0, GATHER_WAIT_NS};
        streaming = 0;
        if (ppoll(fds, 2, &wait, NULL) > 0) continue; /* bytes, or stopPty(): the top of the loop says */
      }
      /* The burst is over: hand over what was gathered and give reading back to the loop. */
      pthread_mutex_lock(&r->lock);
      if (r->length > 0) notify_locked(r);
      if (!r->stopping) {
        r->mode = MODE_TO_LOOP;
        napi_call_threadsafe_function(r->on_readable, &to_loop_message, napi_tsfn_nonblocking);
      }
      pthread_mutex_unlock(&r->lock);
      continue;
    }
    pthread_mutex_lock(&r->lock);
    if (n > 0) {
      memcpy(r->gathered + r->length, chunk, (size_t)n);
      r->length += (size_t)n;
      streaming = n >= FULL_READ;
      if (!streaming || r->length >= GATHER_BYTES) notify_locked(r);
    } else {
      end_locked(r); /* 0, EIO (every slave closed, all read), or another error */
    }
    pthread_mutex_unlock(&r->lock);
    if (n <= 0) break;
  }
  free(chunk);
  return NULL;
}

/* On the loop: onReadable through its async context; an exception it throws is Node's uncaught one. */
static void call_on_readable(reader_t *r) {
  napi_handle_scope scope;
  napi_open_handle_scope(r->env, &scope);
  napi_value fn = NULL, recv, result;
  napi_get_reference_value(r->env, r->callback, &fn);
  napi_get_global(r->env, &recv); /* napi_make_callback wants an object */
  if (fn && napi_make_callback(r->env, r->async, recv, fn, 0, NULL, &result) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(r->env, &error);
    napi_fatal_exception(r->env, error);
  }
  napi_close_handle_scope(r->env, scope);
}

static void on_poll_closed(uv_handle_t *handle);

static void on_master_readable(uv_poll_t *handle, int status, int events);

/* On the loop, under the lock: a handing back is complete; watch the master again. */
static void settle_mode_locked(reader_t *r) {
  if (r->mode == MODE_TO_LOOP) r->mode = MODE_LOOP;
  if (r->mode != MODE_LOOP || r->poll_closing) return;
  int want = !r->ended && !r->stopping && r->length < READER_CAP;
  if (want && !r->polling) uv_poll_start(&r->poll, UV_READABLE, on_master_readable);
  if (!want && r->polling) uv_poll_stop(&r->poll);
  r->polling = want;
}

/* On the loop, in MODE_LOOP: the master has bytes (or its end). */
static void on_master_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  reader_t *r = handle->data;
  pthread_mutex_lock(&r->lock);
  if (status < 0) r->polling = 0; /* libuv stopped the poll itself (POLLERR) */
  if (r->mode != MODE_LOOP || r->stopping || r->ended) {
    pthread_mutex_unlock(&r->lock);
    return;
  }
  ssize_t n;
  do n = read(r->fd, r->gathered + r->length, READER_CAP - r->length);
  while (n < 0 && errno == EINTR);
  int call = 0;
  if (n > 0) {
    r->length += (size_t)n;
    if (n >= FULL_READ) {
      /* A burst: the thread reads from here on, and the loop takes what it gathers. */
      r->mode = MODE_THREAD;
      pthread_cond_signal(&r->room);
    }
  } else if (n == 0 || errno != EAGAIN || status < 0) {
    r->ended = 1; /* EIO (every slave closed, all read), a poll error, or another read error */
  }
  settle_mode_locked(r);
  if ((n > 0 || r->ended) && !r->notified) call = r->notified = 1;
  pthread_mutex_unlock(&r->lock);
  if (call) call_on_readable(r);
}

/* On the loop: a threadsafe call from the thread, unless the reader was stopped meanwhile. */
static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  reader_t *r = context;
  if (!env || !callback) return;
  pthread_mutex_lock(&r->lock);
  int stopping = r->stopping;
  if (!stopping) settle_mode_locked(r);
  pthread_mutex_unlock(&r->lock);
  if (stopping || data != &readable_message) return;
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  /* As from the poll: what the callback throws is Node's uncaught exception, not a warning. */
  if (napi_call_function(env, undefined, callback, 0, NULL, NULL) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
}

/* On the loop: the thread ended, the poll closing, the descriptors closed. Safe to call again. */
static void join_reader(reader_t *r) {
  if (!r->joined) {
    pthread_mutex_lock(&r->lock);
    r->stopping = 1;
    pthread_cond_signal(&r->room);
    pthread_mutex_unlock(&r->lock);
    uint64_t one = 1;
    if (write(r->wake, &one, sizeof one) < 0) { /* the eventfd cannot be full at 1 */
    }
    pthread_join(r->thread, NULL);
    r->joined = 1;
  }
  /* The poll goes before the descriptor it watches; its close callback is an owner's end. */
  if (!r->poll_closing) {
    r->poll_closing = 1;
    r->polling = 0;
    uv_close((uv_handle_t *)&r->poll, on_poll_closed);
  }
  if (r->fd >= 0) close(r->fd);
  if (r->wake >= 0) close(r->wake);
  r->fd = r->wake = -1;
}

static void release_callback(reader_t *r) {
  if (r->callback) napi_delete_reference(r->env, r->callback);
  if (r->async) napi_async_destroy(r->env, r->async);
  r->callback = NULL;
  r->async = NULL;
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

static void on_poll_closed(uv_handle_t *handle) {
  reader_t *r = handle->data;
  if (--r->owners == 0) free_reader(r);
}

/*
 * One of the reader's owners is gone. The thread is ended first: the threadsafe function it calls must
 * outlive it. Then the function is let go, unless it is the owner gone; the last owner frees.
 */
static void owner_gone(reader_t *r, int callback_gone) {
  join_reader(r);
  if (callback_gone) r->released = 1;
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

/* A reader with no thread, poll or callback yet: its descriptors and memory go. */
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
  napi_value args[2];
  int32_t fd;
  if (!fd_and_callback(env, info, args, &fd, "readPty(fd, onReadable)")) return NULL;
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
  r->owners = 1; /* the threadsafe function; the poll and the JS object below are the others */
  r->env = env;
  uv_loop_t *loop = NULL;
  napi_get_uv_event_loop(env, &loop);
  if (napi_create_reference(env, args[1], 1, &r->callback) != napi_ok ||
      napi_async_init(env, reader, name, &r->async) != napi_ok || !loop ||
      uv_poll_init(loop, &r->poll, r->fd) != 0) {
    r->joined = r->poll_closing = 1; /* neither exists */
    release_callback(r);
    napi_throw_error(env, "EIO", "readPty: cannot watch the terminal");
    return NULL;
  }
  r->poll.data = r;
  uv_unref((uv_handle_t *)&r->poll);
  r->owners = 2;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, READER_STACK);
  int started = pthread_create(&r->thread, &attr, reader_main, r);
  pthread_attr_destroy(&attr);
  if (started != 0) {
    r->joined = 1;
    join_reader(r);
    release_callback(r);
    napi_throw_error(env, "EAGAIN", "readPty: cannot start its thread");
    return NULL;
  }
  r->owners = 3;
  napi_wrap(env, reader, r, finalize_reader, NULL, NULL);
  /* MODE_LOOP (calloc's 0): the loop reads first; the thread waits for a burst. */
  pthread_mutex_lock(&r->lock);
  settle_mode_locked(r);
  pthread_mutex_unlock(&r->lock);
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
    /* Only a reading thread can be waiting for room; waking one that waits for a burst is a futex
     * call and a thread's wake-up per keystroke for nothing. */
    if (r->mode == MODE_THREAD) pthread_cond_signal(&r->room);
    settle_mode_locked(r); /* the loop polls again if it had stopped at the cap */
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
