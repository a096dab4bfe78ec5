"""queuescope's tracing shim: reports a Python program's queues and threads.

Pure standard library, Python 3.8+. Started by queuescope's sitecustomize
when QUEUESCOPE_TRACE is set ("fd:N": write to the inherited descriptor N).
It wraps queue.Queue, LifoQueue, PriorityQueue, SimpleQueue and
threading.Thread, and sends one JSON array per line (see
docs/trace-protocol.md in queuescope's source).

Cost is what decides the design: a put and a get cost a few microseconds
in CPython, and so does formatting a JSON event with a time and a thread
id. So each event is formatted once, as its final text, and appended to one
shared list (an append is atomic, so the list's order is the order things
happened); a background thread writes the list out every FLUSH_EVERY
seconds, and a thread that finds it longer than FLUSH_AT writes it itself,
which bounds the memory. A queue's put and get are recorded in its
_put/_get, which run with the queue's lock held, so a get is never recorded
before the put of its item, and a busy FIFO queue's operations are counted
rather than sent (see _who). A thread is marked blocked only when it really waits, in
the queue's condition variables. Nothing here may raise into the program:
a broken pipe just turns the tracing off.
"""

import _thread
import atexit
import itertools
import os
import queue
import sys
import threading
import time
import types
import weakref
from heapq import heappop, heappush

# json's C string encoder, without importing json (and re) at start-up:
# the shim is imported by every traced program before it runs.
try:
    from _json import encode_basestring as _enc
except ImportError:  # pragma: no cover - every CPython has _json
    from json.encoder import encode_basestring as _enc

PROTOCOL = 2
FLUSH_EVERY = 0.025
FLUSH_AT = 65536
# A busy LIFO queue sends every LAP-th put and get in full (with its time); a
# queue with fewer than BUSY operations between two flushes sends them all.
LAP = 64
BUSY = 250
SHORT = 40
BIG = 10**15

_buf = []
_ap = _buf.append
_now = time.monotonic_ns
_ident = threading.get_ident
# Each thread's own dict of this local: the cheapest exact "which thread
# is this" (see _who).
_here = _thread._local()
_qids = itertools.count(1)
_queues = weakref.WeakSet()
_flush_lock = _thread.allocate_lock()
_fd = -1
_main = threading.main_thread()
# Compact puts (of ints) are off when an int is a pill (the repr must be sent).
_COMPACT = True
# No latency sample is waiting in the queue.
_NOTHING = object()


class _State:
    """A queue's tracing state, except what its put and get read every
    time. One attribute on the queue, not twenty: CPython 3.11 keeps an
    object's attributes in a compact shared layout only up to 30 of them,
    and past that every attribute the stock put and get read costs more
    (a fifth more instructions per item on a busy queue)."""

    __slots__ = (
        "id pre end np ng lp lg seen busy cput putc getc donec counted nd dg"
        " mark want after"
    ).split()

    def __init__(self, qid):
        self.id = qid
        self.pre = ",%d," % qid
        self.end = ",%d]" % qid
        # LIFO: puts and gets so far, in laps of LAP and the count into the lap.
        self.np = self.ng = self.lp = self.lg = 0
        # Operations at the last round (busy or quiet).
        self.seen = 0
        # Busy: LIFO gets compact; LIFO compact puts (no int may be a pill).
        self.busy = False
        self.cput = False
        self.putc = '["put",%d]' % qid
        self.getc = '["get",%d]' % qid
        self.donec = '["done",%d]' % qid
        # FIFO: counted operations (see _who): task_dones, the gets at the
        # latest one, the totals at the latest mark.
        self.counted = False
        self.nd = 0
        self.dg = -1
        self.mark = (0, 0, 0)
        # A latency sample is wanted; the operation after one goes in full.
        self.want = False
        self.after = False


def _unknown_state():
    """The state of a queue made before the patch (queue 0: unknown), for
    the class: an object of a built-in type. CPython (3.11) does not
    specialize loads of an attribute the class holds an instance of a
    Python class for, so with a _State there every self._qs would take the
    slow path (a thousand instructions more per task_done)."""
    st = _State(0)
    return types.SimpleNamespace(**{k: getattr(st, k) for k in _State.__slots__})


class _Never:
    """A type no queued item has: a counted queue's puts go in full."""


def _settle(q):
    """What a FIFO queue sends in full: everything when it is quiet, or
    right after a latency sample was taken (so the taker's next operation,
    which finishes the item, has a time); else the puts of items that are
    not plain ints, one put when a sample is wanted, and the get of its
    item (the other operations are counted). Called with the queue's lock
    held, like its operations, so _qs_watch is never stale."""
    full = not q._qs.busy or q._qs.after
    q._qs_quiet = full
    fast = not full and not q._qs.want and _COMPACT
    q._qs_int = int if fast else _Never
    # A get looks for a get to send in full only when there may be one.
    q._qs_watch = full or q._qs_sample is not _NOTHING


def _flush():
    """Writes every event buffered so far (or drops them once the pipe is gone)."""
    global _fd
    with _flush_lock:
        n = len(_buf)
        if not n:
            return
        batch = _buf[:n]
        # Appends made meanwhile land after index n and are kept.
        del _buf[:n]
        if _fd < 0:
            return
        data = ("\n".join(batch) + "\n").encode("utf-8", "backslashreplace")
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(_fd, view):]
        except OSError:
            _fd = -1


def _flusher():
    while True:
        time.sleep(FLUSH_EVERY)
        _round()
        _flush()


def _round():
    """The flusher's look at every queue, with the queue's lock held (as
    its operations are): what a FIFO queue counted since its last mark
    ("ops"), and what each queue sends in full until the next round."""
    try:
        for q in list(_queues):
            mutex = getattr(q, "mutex", None)
            # A lock held elsewhere for long: the next round looks again.
            if mutex is None or not mutex.acquire(True, 0.05):
                continue
            try:
                if q._qs.counted:
                    _mark(q, _now(), 0)
                _adapt(q)
            finally:
                mutex.release()
    except Exception:
        pass


def _adapt(q):
    """Full events for a quiet queue, sampled ones for a busy queue."""
    if q._qs.counted:
        p, g, _ = _totals(q, 0)
        ops = p + g
    else:
        ops = (q._qs.lp + q._qs.lg) * LAP + q._qs.np + q._qs.ng
    busy = ops - q._qs.seen > BUSY
    q._qs.busy = busy
    q._qs.cput = busy and _COMPACT
    q._qs.seen = ops
    # A latency sample a round on a busy counted queue, but never in place
    # of one still queued: on a deep queue a wait is longer than a round,
    # and replacing the sample would only ever measure the short ones. An
    # empty queue no longer holds it (it was taken some other way).
    if q._qs_sample is not _NOTHING and not q.queue:
        q._qs_sample = _NOTHING
    q._qs.want = busy and q._qs_sample is _NOTHING
    _settle(q)


def _short(x, depth=0):
    """A short repr that never calls the item's own __repr__."""
    t = type(x)
    if x is None or t is bool or t is float:
        return repr(x)
    if t is int:
        return repr(x) if -BIG < x < BIG else "<int>"
    if t is str or t is bytes:
        return repr(x) if len(x) <= SHORT else repr(x[:SHORT]) + "..."
    if t is tuple and depth == 0:
        inner = ", ".join(_short(e, 1) for e in x[:4])
        if len(x) == 1:
            inner += ","
        elif len(x) > 4:
            inner += ", ..."
        return "(" + inner + ")"
    return "<" + getattr(t, "__qualname__", "?") + ">"


def _jrepr(x):
    try:
        return _enc(_short(x))
    except Exception:
        return '"?"'


def _timeout(t):
    if t is None:
        return "null"
    try:
        return "%.6f" % float(t)
    except Exception:
        return "null"


_sources = {}


def _line(filename, lineno):
    """A line of a source file (files read once, at most 1 MB each)."""
    lines = _sources.get(filename)
    if lines is None:
        lines = []
        if len(_sources) < 64:
            try:
                with open(filename, "rb") as f:
                    lines = f.read(1 << 20).decode("utf-8", "replace").splitlines()
            except (OSError, ValueError):
                pass
            _sources[filename] = lines
    return lines[lineno - 1] if 0 < lineno <= len(lines) else ""


def _assigned(line):
    """`q` of `q = Queue()`, `_work_queue` of `self._work_queue = ...`."""
    target, eq, rest = line.partition("=")
    target = target.split(":")[0].strip()
    if not eq or rest.startswith("=") or not target:
        return None
    name = target.rsplit(".", 1)[-1]
    return name[:40] if name.isidentifier() else None


def _name_from_source(depth):
    """The variable a new queue is assigned to, read from the creating line."""
    try:
        for d in range(depth, depth + 3):
            f = sys._getframe(d)
            name = _assigned(_line(f.f_code.co_filename, f.f_lineno))
            if name:
                return name
    except Exception:
        pass
    return None


def _order(q):
    if isinstance(q, queue.PriorityQueue):
        return "priority"
    if isinstance(q, queue.LifoQueue):
        return "lifo"
    return "fifo"


def _announce_queue(q, maxsize, order):
    """Gives `q` its id and tracing state (see _State)."""
    qid = next(_qids)
    st = q._qs = _State(qid)
    cls = type(q)
    st.counted = (
        getattr(cls, "_put", None) is _fifo_put
        and getattr(cls, "_get", None) is _fifo_get
    )
    # What a FIFO queue's put and get read every time (see _settle).
    q._qs_last = 0
    q._qs_here = None
    q._qs_watch = True
    q._qs_quiet = True
    q._qs_int = _Never
    q._qs_sample = _NOTHING
    try:
        _queues.add(q)
    except TypeError:
        pass
    name = _name_from_source(3)
    _ap(
        '["queue",%d,%d,%d,%s,"%s",%d,%s]'
        % (
            _now(),
            _ident(),
            qid,
            _enc(type(q).__name__[:40]),
            order,
            maxsize if isinstance(maxsize, int) and maxsize > 0 else 0,
            "null" if name is None else _enc(name),
        )
    )
    return qid


class _Cond(threading.Condition):
    """A queue's condition variable that reports when a thread really waits."""

    def __init__(self, lock, q, kind):
        threading.Condition.__init__(self, lock)
        self._qs_q = q._qs.id
        self._qs_block = ',%d,"%s",' % (q._qs.id, kind)
        self._qs_end = q._qs.end

    # No mark before the block: operations counted but not yet marked were
    # all made before it (a thread cannot operate while it waits), and the
    # reader treats them so when the next mark comes.
    def wait(self, timeout=None):
        tid = _ident()
        if timeout is None:
            _ap(f'["block",{_now()},{tid}{self._qs_block}null]')
        else:
            _ap(f'["block",{_now()},{tid}{self._qs_block}{_timeout(timeout)}]')
        try:
            return threading.Condition.wait(self, timeout)
        finally:
            # The end of the wait has a time even when the put or get
            # that follows is only counted.
            _ap(f'["wake",{_now()},{tid}{self._qs_end}')


# --- queue.Queue and its subclasses -------------------------------------

_Queue = queue.Queue
_q_init = _Queue.__init__
_q_join = _Queue.join


def _q_init_traced(self, maxsize=0):
    _q_init(self, maxsize)
    _announce_queue(self, maxsize, _order(self))
    self.not_empty = _Cond(self.mutex, self, "empty")
    self.not_full = _Cond(self.mutex, self, "full")


def _put_text(self, item, t, tid):
    """A put event in full: time, thread, queue and the item's short repr."""
    if type(item) is int and -BIG < item < BIG:
        return f'["put",{t},{tid}{self._qs.pre}"{item}"]'
    return f'["put",{t},{tid}{self._qs.pre}{_jrepr(item)}]'


# A FIFO queue's operations are counted, not sent. Its _put/_get/task_done
# run with the queue's lock held, so the stock counters say how many puts
# (unfinished_tasks + task_dones) and gets (puts - len) there have been;
# the shim counts only the task_dones. A "who" event carries those totals
# and names the thread of the operations that follow: the reader gives
# every operation between two such marks to the thread named by the first
# ("ops" is a mark that keeps the thread: the flusher's, every FLUSH_EVERY,
# and the one before any event in full). So a put or get by the same
# thread as the one before costs one thread check, and nothing is written.
# Sent in full, with their times: a quiet queue's operations, every put of
# an item that is not a plain int (its repr may be a pill), and on a busy
# queue one put per flush and the get that takes its item (the latency
# samples; the get finds it by identity, which costs less than a count,
# and looks only while one is in the queue: _qs_watch).
def _totals(self, back):
    """Puts, gets and task_dones so far (`back`: a get already under way)."""
    d = self._qs.nd
    p = self.unfinished_tasks + d
    return p, p - len(self.queue) - back, d


def _mark(self, t, back, who=None):
    """Sends the operations counted since the last mark ("ops"), if any,
    or names the next thread ("who", `who` its id); returns the totals."""
    p, g, d = totals = _totals(self, back)
    last = self._qs.mark
    if who is None and last == totals:
        return totals
    # Finished: the thread's latest get was followed by a task_done.
    fin = 1 if d != last[2] and self._qs.dg == g else 0
    self._qs.mark = totals
    if who is None:
        _ap(f'["ops",{t},{self._qs.id},{p},{g},{d},{fin}]')
    else:
        _ap(f'["who",{t},{who},{self._qs.id},{p},{g},{d},{fin}]')
    return totals


def _who(self):
    # The thread is told by its dict of _here, not by get_ident(): reading
    # it allocates nothing (get_ident() makes a new int every call), and a
    # queue keeps the dict it holds alive, so no other thread can have it.
    self._qs_here = _here.__dict__
    tid = _ident()
    self._qs_last = tid
    _mark(self, _now(), 0, tid)


def _busy_now(self, ops):
    """A quiet queue that has had more than BUSY operations since the last
    round is busy from now on, without waiting for the next round."""
    if not self._qs.busy and ops - self._qs.seen > BUSY:
        self._qs.busy = True
        _settle(self)


def _put_full(self, item):
    t = _now()
    p, g, d = _mark(self, t, 0)
    # The reader counts an operation sent in full itself.
    self._qs.mark = (p + 1, g, d)
    self.queue.append(item)
    _busy_now(self, p + g)
    if self._qs.want:
        self._qs_sample = item
        self._qs.want = False
        _settle(self)
    elif self._qs.after:
        self._qs.after = False
        _settle(self)
    _ap(_put_text(self, item, t, self._qs_last))
    if len(_buf) > FLUSH_AT:
        _flush()


# The defaults make the names local: a little cheaper than globals.
def _fifo_put(self, item, _here=_here, type=type):
    if _here.__dict__ is not self._qs_here:
        _who(self)
    # _qs_int is int, or (to send this put in full) a type no item has.
    if type(item) is not self._qs_int:
        _put_full(self, item)
    else:
        self.queue.append(item)


def _get_full(self, item):
    t = _now()
    p, g, d = _mark(self, t, 1)
    self._qs.mark = (p, g + 1, d)
    _busy_now(self, p + g)
    if item is self._qs_sample:
        self._qs_sample = _NOTHING
        self._qs.after = self._qs.busy
        _settle(self)
    elif self._qs.after:
        self._qs.after = False
        _settle(self)
    _ap(f'["get",{t},{self._qs_last}{self._qs.end}')


def _fifo_get(self, _here=_here):
    if _here.__dict__ is not self._qs_here:
        _who(self)
    # Most of the time a busy queue has no latency sample in it.
    if self._qs_watch:
        return _get_watched(self)
    return self.queue.popleft()


def _get_watched(self):
    item = self.queue.popleft()
    if item is self._qs_sample or self._qs_quiet:
        _get_full(self, item)
    return item


# A LIFO queue takes the newest item: counts could not say which one a
# get took, so its operations are sent one by one (a constant string on a
# busy queue, after a "who" naming the thread; every LAP-th in full).
def _who1(self):
    self._qs_here = _here.__dict__
    tid = self._qs_last = _ident()
    _ap(f'["who",{_now()},{tid}{self._qs.end}')


def _lifo_put(self, item):
    self.queue.append(item)
    if _here.__dict__ is not self._qs_here:
        _who1(self)
    n = self._qs.np + 1
    if n != LAP:
        self._qs.np = n
        if self._qs.cput and type(item) is int:
            _ap(self._qs.putc)
            return
    else:
        self._qs.np = 0
        self._qs.lp += 1
    _ap(_put_text(self, item, _now(), self._qs_last))
    if len(_buf) > FLUSH_AT:
        _flush()


def _lifo_get(self):
    item = self.queue.pop()
    if _here.__dict__ is not self._qs_here:
        _who1(self)
    n = self._qs.ng + 1
    if n != LAP:
        self._qs.ng = n
        if self._qs.busy:
            _ap(self._qs.getc)
            return item
    else:
        self._qs.ng = 0
        self._qs.lg += 1
    _ap(f'["get",{_now()},{self._qs_last}{self._qs.end}')
    return item


# A heap's order depends on the items: its events carry their identity.
def _prio_put(self, item):
    heappush(self.queue, item)
    _ap(_put_text(self, item, _now(), _ident())[:-1] + f",{id(item)}]")
    if len(_buf) > FLUSH_AT:
        _flush()


def _prio_get(self):
    item = heappop(self.queue)
    _ap(f'["get",{_now()},{_ident()},{self._qs.id},{id(item)}]')
    return item


def _task_done(self):
    with self.all_tasks_done:
        unfinished = self.unfinished_tasks - 1
        if unfinished <= 0:
            if unfinished < 0:
                raise ValueError("task_done() called too many times")
            self.all_tasks_done.notify_all()
        if not self._qs.counted:
            self.unfinished_tasks = unfinished
            if _here.__dict__ is not self._qs_here:
                _who1(self)
            _ap(self._qs.donec)
            return
        if _here.__dict__ is not self._qs_here:
            _who(self)
        if self._qs_quiet:
            _mark(self, _now(), 0)
        self.unfinished_tasks = unfinished
        self._qs.nd += 1
        # The gets so far: a mark tells whether this was after the latest.
        self._qs.dg = unfinished + self._qs.nd - len(self.queue)
        if self._qs_quiet:
            _ap(f'["done",{_now()},{self._qs_last}{self._qs.end}')
            self._qs.mark = _totals(self, 0)
            if self._qs.after:
                self._qs.after = False
                _settle(self)


def _join_queue(self):
    tid = _ident()
    _ap('["qjoin",%d,%d,%d]' % (_now(), tid, self._qs.id))
    try:
        _q_join(self)
    finally:
        _ap('["qjoined",%d,%d,%d]' % (_now(), tid, self._qs.id))


def _mark_queues(tid):
    """Sends what every FIFO queue counted (only those whose latest thread
    is `tid`, unless it is None): at the end, and a thread's last before
    its exit (the next thread on the queue then names itself)."""
    try:
        for q in list(_queues):
            if not q._qs.counted or (tid is not None and q._qs_last != tid):
                continue
            # A lock held elsewhere for long: the next round marks it.
            if q.mutex.acquire(True, 0.05):
                try:
                    _mark(q, _now(), 0)
                    if tid is not None:
                        q._qs_last = 0
                        q._qs_here = None
                finally:
                    q.mutex.release()
    except Exception:
        pass


# --- queue.SimpleQueue (C code: a subclass, put in the module's place) --

_Simple = queue.SimpleQueue
_s_put = _Simple.put
_s_get = _Simple.get


class SimpleQueue(_Simple):
    """queue.SimpleQueue, traced. The put is recorded just before it happens
    (it never blocks), so it is listed ahead of the get that takes it."""

    _qs = _unknown_state()

    def __init__(self):
        _announce_queue(self, 0, "fifo")

    def put(self, item, block=True, timeout=None):
        _ap(_put_text(self, item, _now(), _ident())[:-1] + f",{id(item)}]")
        if len(_buf) > FLUSH_AT:
            _flush()
        _s_put(self, item, block, timeout)

    def put_nowait(self, item):
        self.put(item, False)

    def get(self, block=True, timeout=None):
        try:
            item = _s_get(self, False)
        except queue.Empty:
            if not block:
                raise
            tid = _ident()
            _ap(
                '["block",%d,%d,%d,"empty",%s]'
                % (_now(), tid, self._qs.id, _timeout(timeout))
            )
            try:
                item = _s_get(self, True, timeout)
            finally:
                _ap('["wake",%d,%d,%d]' % (_now(), tid, self._qs.id))
        _ap('["get",%d,%d,%d,%d]' % (_now(), _ident(), self._qs.id, id(item)))
        return item

    def get_nowait(self):
        return self.get(False)


SimpleQueue.__module__ = "queue"


# --- threading.Thread ----------------------------------------------------

_t_start = threading.Thread.start
_t_join = threading.Thread.join
_t_shutdown = getattr(threading, "_shutdown", None)


def _thread_start(self):
    run = self.run

    def _qs_run():
        tid = _ident()
        _ap('["thread",%d,%d,%s]' % (_now(), tid, _enc(str(self.name)[:60])))
        err = "null"
        try:
            run()
        except BaseException as e:
            err = _enc(type(e).__name__[:60])
            raise
        finally:
            _mark_queues(tid)
            _ap('["exit",%d,%d,%s]' % (_now(), tid, err))

    self.run = _qs_run
    _t_start(self)


def _thread_join(self, timeout=None):
    me = _ident()
    target = self.ident or 0
    _ap('["join",%d,%d,%d,%s]' % (_now(), me, target, _timeout(timeout)))
    try:
        return _t_join(self, timeout)
    finally:
        _ap('["joined",%d,%d,%d]' % (_now(), me, target))


def _shutdown_traced():
    # The interpreter waits here for every non-daemon thread at exit.
    me = _ident()
    _ap('["join",%d,%d,0,null]' % (_now(), me))
    try:
        return _t_shutdown()
    finally:
        _ap('["joined",%d,%d,0]' % (_now(), me))


# --- start and stop ------------------------------------------------------


def _at_exit():
    _mark_queues(None)
    _ap('["exit",%d,%d,null]' % (_now(), _main.ident or 0))
    _ap('["end",%d]' % _now())
    _flush()


def _in_forked_child():
    # A forked child is not the traced program: stop sending, keep
    # discarding (the buffer stays bounded), and let the pipe go.
    global _fd
    fd, _fd = _fd, -1
    del _buf[:]
    if fd >= 0:
        try:
            os.close(fd)
        except OSError:
            pass


def _patch():
    _Queue.__init__ = _q_init_traced
    # Defaults for a queue made before the patch (queue 0: unknown).
    _Queue._qs = _unknown_state()
    _Queue._qs_last = 0
    _Queue._qs_here = None
    _Queue._qs_watch = True
    _Queue._qs_quiet = True
    _Queue._qs_int = _Never
    _Queue._qs_sample = _NOTHING
    _Queue._put = _fifo_put
    _Queue._get = _fifo_get
    _Queue.task_done = _task_done
    _Queue.join = _join_queue
    queue.LifoQueue._put = _lifo_put
    queue.LifoQueue._get = _lifo_get
    queue.PriorityQueue._put = _prio_put
    queue.PriorityQueue._get = _prio_get
    queue.SimpleQueue = SimpleQueue
    threading.Thread.start = _thread_start
    threading.Thread.join = _thread_join
    if _t_shutdown is not None:
        threading._shutdown = _shutdown_traced


def activate():
    """Reads QUEUESCOPE_TRACE, says hello, patches, starts the flusher."""
    global _fd, _COMPACT
    spec = os.environ.pop("QUEUESCOPE_TRACE", "")
    _COMPACT = os.environ.pop("QUEUESCOPE_TRACE_COMPACT", "1") != "0"
    if not spec.startswith("fd:"):
        return
    try:
        _fd = int(spec[3:])
        os.set_inheritable(_fd, False)
    except (ValueError, OSError):
        _fd = -1
        return
    version = "%d.%d.%d" % sys.version_info[:3]
    _ap(
        '["hello",%d,%d,%d,%d,"python %s"]'
        % (PROTOCOL, _now(), os.getpid(), _main.ident or 0, version)
    )
    _ap('["thread",%d,%d,%s]' % (_now(), _main.ident or 0, _enc(_main.name)))
    _patch()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_in_forked_child)
    atexit.register(_at_exit)
    _thread.start_new_thread(_flusher, ())
    _flush()
