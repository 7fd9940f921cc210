import Codegen
import Foundation
import IR
import Synchronization

/// A private temporary folder for one `kiln compile` or `kiln verify`. `TMPDIR` points into it, so the build
/// folder Codegen makes and the C compiler's own temporaries land there; it is removed when the command ends
/// and when it is interrupted (Ctrl-C, SIGTERM), so an interrupted build leaves nothing behind in /tmp.
///
/// The signal handler only writes the signal number to a pipe (async-signal-safe); a thread waiting on the pipe
/// silences stdout and stderr (the main thread may trip over the vanishing files first), stops the running
/// compiler children (`ChildProcesses`: a signal sent to kiln alone does not reach them, and they would write on
/// into the folder; SIGTERM, then SIGKILL after 3 s), renames the folder out of the build's way and removes it, and
/// re-raises the signal with its default action, so the exit status still says "killed by SIGINT". Signals stay
/// caught, not ignored, so the C compiler children keep the default Ctrl-C behaviour.
enum ScratchFolder {
    nonisolated(unsafe) private static var pipeWrite: Int32 = -1
    nonisolated(unsafe) private static var installed: String?
    /// Set once a signal arrived: the command is ending and must not exit on its own first.
    static let interrupted = Atomic<Bool>(false)

    /// Creates the folder, points TMPDIR at it and installs the handlers. Returns the folder's path.
    @discardableResult
    static func install() throws -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/kiln-\(getpid())-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw KilnError("cannot create a temporary folder in \(base): \(String(cString: strerror(errno)))")
        }
        let folder = String(cString: made)
        setenv("TMPDIR", folder, 1)
        installed = folder
        atexit {
            // Interrupted: the signal ends the process once the handler's thread has removed the (renamed) folder;
            // exiting first, as a command that finished just as the signal came would, cuts that removal short.
            ScratchFolder.waitIfInterrupted()
            ScratchFolder.installed.map(ScratchFolder.remove)
        }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return folder }
        pipeWrite = fds[1]
        let readEnd = fds[0]
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for s in [SIGINT, SIGTERM, SIGHUP] {
            signal(s) { number in
                var n = number
                _ = write(ScratchFolder.pipeWrite, &n, MemoryLayout<Int32>.size)
            }
            sigaddset(&unblock, s)
        }
        // A parent may have started kiln with these blocked (Foundation's Process does from some threads).
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        let thread = Thread {
            var signalNumber: Int32 = 0
            guard read(readEnd, &signalNumber, MemoryLayout<Int32>.size) == MemoryLayout<Int32>.size else { return }
            // The main thread may trip over the vanishing files before the signal ends it: it says nothing more,
            // and waits (waitIfInterrupted) instead of exiting with status 1.
            interrupted.store(true, ordering: .sequentiallyConsistent)
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 { dup2(null, STDERR_FILENO); dup2(null, STDOUT_FILENO) }
            // A second Ctrl-C while the compilers stop ends kiln at once.
            for s in [SIGINT, SIGTERM, SIGHUP] { signal(s, SIG_DFL) }
            // The compilers first: they would write on into the folder (their temporaries, objects) while it goes.
            // A loaded machine may take seconds to end them; one that ignores SIGTERM is killed.
            if !ChildProcesses.stop(with: SIGTERM, waiting: 3) { ChildProcesses.stop(with: SIGKILL, waiting: 3) }
            // Renamed first: kiln's own threads, still writing sources or copying cached objects, can then make
            // nothing more in it, since every path they use starts with the old name and `Compiler.makeFolder`
            // never makes a missing parent.
            let doomed = folder + ".removing"
            remove(rename(folder, doomed) == 0 ? doomed : folder)
            kill(getpid(), signalNumber)  // to the process: this thread may have the signal blocked
        }
        thread.start()
        return folder
    }

    /// Blocks for good when a signal is being handled, so that the signal, not an error, ends the process.
    static func waitIfInterrupted() {
        guard interrupted.load(ordering: .sequentiallyConsistent) else { return }
        while true { pause() }
    }

    /// Removes the folder, trying again for a while if something still running puts a file in it meanwhile.
    static func remove(_ folder: String) {
        for _ in 0..<40 {
            try? FileManager.default.removeItem(atPath: folder)
            if !FileManager.default.fileExists(atPath: folder) { return }
            usleep(50_000)
        }
    }
}
