/*
 * framesh's posix_spawn launcher (docs/ARCHITECTURE.md, "Spawning").
 *
 * libuv forks to start a child, copying the page tables of the whole server; glibc's posix_spawn uses
 * clone(CLONE_VM|CLONE_VFORK), whose cost does not grow with the parent. This addon does only what Node
 * cannot: create the three pipes, posix_spawn the command in its own session with default signal
 * dispositions and an empty mask, and watch a pidfd on Node's event loop to reap exactly that child
 * (never waitpid(-1): libuv reaps its own children by pid and must not lose them).
 * Everything else (PATH lookup, streams, error mapping) is in native-spawn-launcher.ts and pipe-output.ts.
 *
 * spawn(path, argv[], envp[], cwd, onStart, onExit): posix_spawn runs on a libuv pool thread, then
 *   onStart(errno) when nothing started, or onStart(0, pid, stdinFd, stdoutFd, stderrFd) with the
 *   server's ends of the pipes (O_CLOEXEC); later onExit(code or -1, signal number or 0), once.
 * probe() -> true when this kernel has pidfd_open.
 * watchGone(pid, onGone) -> 0, or an errno when pid cannot be watched (ESRCH: it is gone already). Calls
 *   onGone() once when the process has exited, without reaping it: for a child another part of the
 *   process reaps (node-pty's terminals, terminal-process.ts). The watch does not keep the loop alive.
 * readPipe, pipeInto, pipeResume, pipeClose: a command's output pipe read on the loop (native/pipe-reader.c).
 * readPty, takePty, stopPty: a terminal's master read on a thread of its own (native/pty-reader.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

#include "pipe-reader.h"
#include "pty-reader.h"

#if !defined(__GLIBC__) || !__GLIBC_PREREQ(2, 29)
#error "needs glibc >= 2.29 (posix_spawn_file_actions_addchdir_np, POSIX_SPAWN_SETSID); framesh falls back"
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

extern char **environ;

typedef struct {
  uv_poll_t poll; /* first member: the uv handle's address is the struct's */
  napi_env env;
  napi_ref on_exit;
  napi_async_context async;
  pid_t pid;
  int pidfd;
} watch_t;

static int pidfd_open_(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

/* Frees a NULL-terminated array of strings copied from JS. */
static void free_strings(char **list) {
  if (!list) return;
  for (char **p = list; *p; p++) free(*p);
  free(list);
}

/* Copies a JS string into a malloc'd C string; NULL on failure or when it holds a NUL byte. */
static char *copy_string(napi_env env, napi_value value) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok) return NULL;
  char *text = malloc(len + 1);
  if (!text) return NULL;
  napi_get_value_string_utf8(env, value, text, len + 1, &len);
  if (strlen(text) != len) { /* an embedded NUL would silently cut the argument */
    free(text);
    return NULL;
  }
  return text;
}

static char **copy_strings(napi_env env, napi_value array) {
  uint32_t count = 0;
  if (napi_get_array_length(env, array, &count) != napi_ok) return NULL;
  char **list = calloc((size_t)count + 1, sizeof(char *));
  if (!list) return NULL;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    if (napi_get_element(env, array, i, &item) != napi_ok || !(list[i] = copy_string(env, item))) {
      free_strings(list);
      return NULL;
    }
  }
  return list;
}

/*
 * sigfillset leaves out glibc's two internal signals (32, 33), and glibc's spawn child sets those to
 * SIG_IGN unless SETSIGDEF names them, so they would stay ignored across exec (libuv's children have
 * them at default). sigaddset refuses them, so set their bits directly: they only ever target threads
 * of this process, never the vfork child, so making them default there is safe.
 */
static void all_signals_including_internal(sigset_t *set) {
  unsigned long *words = (unsigned long *)set;
  size_t bits = 8 * sizeof(unsigned long);
  for (int sig = 1; sig < _NSIG; sig++) words[(sig - 1) / bits] |= 1UL << ((sig - 1) % bits);
}

static void on_closed(uv_handle_t *handle) { free(handle); }

/*
 * Calls the JS function behind `ref` once, from the loop (not inside a JS call), with its async context,
 * then frees the reference and the context. An exception it throws is Node's uncaught exception.
 */
static void call_once(napi_env env, napi_ref ref, napi_async_context async, size_t argc, const int32_t *ints) {
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, recv, argv[2], result;
  napi_get_reference_value(env, ref, &fn);
  napi_get_global(env, &recv); /* napi_make_callback wants an object */
  for (size_t i = 0; i < argc && i < 2; i++) napi_create_int32(env, ints[i], &argv[i]);
  if (fn && napi_make_callback(env, async, recv, fn, argc, argv, &result) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
  napi_delete_reference(env, ref);
  napi_async_destroy(env, async);
}

static void on_pidfd_readable(uv_poll_t *handle, int status, int events) {
  watch_t *watch = (watch_t *)handle;
  (void)events;
  int wstatus = 0;
  pid_t got = waitpid(watch->pid, &wstatus, WNOHANG);
  if (got == 0 && status == 0) return; /* not exited yet (spurious wake-up) */
  int code = -1, signo = 0;
  if (got == watch->pid) {
    if (WIFEXITED(wstatus)) code = WEXITSTATUS(wstatus);
    else if (WIFSIGNALED(wstatus)) signo = WTERMSIG(wstatus);
  } else {
    signo = SIGKILL; /* cannot happen unless someone else reaped it; report it ended, not hang */
  }
  /* uv_close stops the poll and takes the descriptor out of epoll: only then is it closed. */
  uv_close((uv_handle_t *)handle, on_closed);
  close(watch->pidfd);
  const int32_t status_args[2] = {code, signo};
  call_once(watch->env, watch->on_exit, watch->async, 2, status_args);
}

static napi_value number(napi_env env, int32_t value) {
  napi_value result;
  napi_create_int32(env, value, &result);
  return result;
}

static void close_all(int *fds, int count) {
  for (int i = 0; i < count; i++)
    if (fds[i] >= 0) close(fds[i]);
}

/* One launch, from the JS call to onStart. */
typedef struct {
  napi_async_work work;
  napi_ref on_start;
  napi_ref on_exit;
  char *path, *cwd;
  char **argv, **envp;
  int fds[6]; /* stdin r,w; stdout r,w; stderr r,w */
  pid_t pid;
  int err;
} launch_t;

static void free_launch(napi_env env, launch_t *launch) {
  free(launch->path);
  free(launch->cwd);
  free_strings(launch->argv);
  free_strings(launch->envp);
  if (launch->on_start) napi_delete_reference(env, launch->on_start);
  if (launch->on_exit) napi_delete_reference(env, launch->on_exit);
  if (launch->work) napi_delete_async_work(env, launch->work);
  free(launch);
}

/*
 * On a libuv pool thread: with vfork semantics this thread, not the event loop, waits until the child
 * has exec'd (on a loaded machine, until the scheduler ran it), and launches proceed in parallel.
 */
static void execute_launch(napi_env env, void *data) {
  launch_t *launch = data;
  (void)env;
  for (int i = 0; i < 3 && !launch->err; i++)
    if (pipe2(launch->fds + 2 * i, O_CLOEXEC) != 0) launch->err = errno;
  if (launch->err) return;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t all, none;
  sigfillset(&all);
  all_signals_including_internal(&all);
  sigemptyset(&none);
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  /* dup2 clears O_CLOEXEC on the target; the originals close at exec. */
  posix_spawn_file_actions_adddup2(&actions, launch->fds[0], 0);
  posix_spawn_file_actions_adddup2(&actions, launch->fds[3], 1);
  posix_spawn_file_actions_adddup2(&actions, launch->fds[5], 2);
  posix_spawn_file_actions_addchdir_np(&actions, launch->cwd);
#if __GLIBC_PREREQ(2, 34)
  /* Also closes descriptors this process inherited without O_CLOEXEC (libuv would pass those on). */
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
  /* Own session and group; Node ignores SIGPIPE and ignored signals survive exec: reset them all. */
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  /* glibc (>= 2.24) spawns with CLONE_VFORK and returns the child's chdir/exec errno here. */
  launch->err = posix_spawn(&launch->pid, launch->path, &actions, &attr, launch->argv, launch->envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (launch->err) return;
  /* The child's ends belong to it now. */
  close(launch->fds[0]);
  close(launch->fds[3]);
  close(launch->fds[5]);
  launch->fds[0] = launch->fds[3] = launch->fds[5] = -1;
}

/* Starts watching the child's pidfd on the loop; returns 0 or an errno (then the child is killed and reaped). */
static int watch_exit(napi_env env, launch_t *launch) {
  watch_t *watch = calloc(1, sizeof(watch_t));
  uv_loop_t *loop = NULL;
  int err = 0;
  if (!watch) err = ENOMEM;
  else if ((watch->pidfd = pidfd_open_(launch->pid)) < 0) err = errno; /* unreaped: valid even if it exited */
  else if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &watch->poll, watch->pidfd) != 0)
    err = EINVAL;
  if (err) {
    /* Cannot watch it: do not leave an unwatched process behind. */
    kill(-launch->pid, SIGKILL);
    waitpid(launch->pid, NULL, 0);
    if (watch && watch->pidfd >= 0) close(watch->pidfd);
    free(watch);
    return err;
  }
  napi_value resource_name;
  napi_create_string_utf8(env, "framesh:spawn", NAPI_AUTO_LENGTH, &resource_name);
  watch->env = env;
  watch->pid = launch->pid;
  watch->on_exit = launch->on_exit; /* the watch owns the reference from now on */
  launch->on_exit = NULL;
  napi_async_init(env, NULL, resource_name, &watch->async);
  uv_poll_start(&watch->poll, UV_READABLE, on_pidfd_readable);
  return 0;
}

/* Back on the loop thread: watch the exit, then onStart(errno) or onStart(0, pid, stdin, stdout, stderr). */
static void complete_launch(napi_env env, napi_status status, void *data) {
  launch_t *launch = data;
  if (status != napi_ok && !launch->err) launch->err = ECANCELED;
  if (!launch->err) launch->err = watch_exit(env, launch);
  napi_value argv[5];
  int argc = 1;
  if (launch->err) {
    close_all(launch->fds, 6);
    argv[0] = number(env, launch->err);
  } else {
    argv[0] = number(env, 0);
    argv[1] = number(env, launch->pid);
    argv[2] = number(env, launch->fds[1]);
    argv[3] = number(env, launch->fds[2]);
    argv[4] = number(env, launch->fds[4]);
    argc = 5;
  }
  napi_value fn, recv, result;
  napi_get_reference_value(env, launch->on_start, &fn);
  napi_get_global(env, &recv);
  free_launch(env, launch);
  /* Async work's completion runs inside a callback scope: exceptions and microtasks are Node's. */
  if (fn) napi_call_function(env, recv, fn, argc, argv, &result);
}

/* spawn(path, argv, envp, cwd, onStart, onExit): every string is copied here, before the pool thread runs. */
static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value args[6];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "spawn(path, argv, envp, cwd, onStart, onExit)");
    return NULL;
  }
  launch_t *launch = calloc(1, sizeof(launch_t));
  if (!launch) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  for (int i = 0; i < 6; i++) launch->fds[i] = -1;
  launch->path = copy_string(env, args[0]);
  launch->cwd = copy_string(env, args[3]);
  launch->argv = copy_strings(env, args[1]);
  launch->envp = copy_strings(env, args[2]);
  /* A NUL byte inside a string, or not a string: nothing runs. */
  if (!launch->path || !launch->cwd || !launch->argv || !launch->envp) launch->err = EINVAL;
  napi_value resource_name;
  napi_create_string_utf8(env, "framesh:spawn", NAPI_AUTO_LENGTH, &resource_name);
  napi_create_reference(env, args[4], 1, &launch->on_start);
  napi_create_reference(env, args[5], 1, &launch->on_exit);
  if (napi_create_async_work(env, NULL, resource_name, execute_launch, complete_launch, launch, &launch->work) != napi_ok ||
      napi_queue_async_work(env, launch->work) != napi_ok) {
    free_launch(env, launch);
    napi_throw_error(env, "SPAWN_FAILED", "could not queue the launch");
  }
  return NULL;
}

/* A pidfd watched for a process this addon does not reap. */
typedef struct {
  uv_poll_t poll; /* first member, as in watch_t */
  napi_env env;
  napi_ref on_gone;
  napi_async_context async;
  int pidfd;
} gone_t;

static void on_gone_readable(uv_poll_t *handle, int status, int events) {
  gone_t *gone = (gone_t *)handle;
  (void)status;
  (void)events;
  /* A pidfd is readable once its process exited (zombie or reaped): that is the whole news. */
  uv_close((uv_handle_t *)handle, on_closed);
  close(gone->pidfd);
  call_once(gone->env, gone->on_gone, gone->async, 0, NULL);
}

static napi_value WatchGone(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  int32_t pid = 0;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, args[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "watchGone(pid, onGone)");
    return NULL;
  }
  gone_t *gone = calloc(1, sizeof(gone_t));
  if (!gone) return number(env, ENOMEM);
  uv_loop_t *loop = NULL;
  if ((gone->pidfd = pidfd_open_(pid)) < 0) {
    int err = errno;
    free(gone);
    return number(env, err);
  }
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &gone->poll, gone->pidfd) != 0) {
    close(gone->pidfd);
    free(gone);
    return number(env, EINVAL);
  }
  napi_value resource_name;
  napi_create_string_utf8(env, "framesh:watchGone", NAPI_AUTO_LENGTH, &resource_name);
  gone->env = env;
  napi_create_reference(env, args[1], 1, &gone->on_gone);
  napi_async_init(env, NULL, resource_name, &gone->async);
  uv_poll_start(&gone->poll, UV_READABLE, on_gone_readable);
  uv_unref((uv_handle_t *)&gone->poll);
  return number(env, 0);
}

static napi_value Probe(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = pidfd_open_(getpid());
  if (fd >= 0) close(fd);
  napi_value result;
  napi_get_boolean(env, fd >= 0, &result);
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"spawn", NULL, Spawn, NULL, NULL, NULL, napi_default, NULL},
      {"probe", NULL, Probe, NULL, NULL, NULL, napi_default, NULL},
      {"watchGone", NULL, WatchGone, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 3, props);
  register_pipe_reader(env, exports);
  register_pty_reader(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
