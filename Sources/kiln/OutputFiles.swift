import Foundation
import IR

/// Where a command is about to write, checked before any work starts (a compile that fails at the link after 30 s
/// because `-o` names a missing folder wastes the user's time), and writes that report the system's reason.
enum OutputFiles {
    /// `path` can be created or replaced as a file: it is not a folder, its folder exists and is writable.
    static func checkFile(_ path: String, _ what: String) throws {
        if isDirectory(path) {
            throw KilnError("\(what) is a directory; give a file name inside it", file: path)
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder) else {
            throw KilnError("cannot write \(what): the folder \(folder) does not exist", file: path)
        }
        guard isDirectory(folder) else {
            throw KilnError("cannot write \(what): \(folder) is not a folder", file: path)
        }
        guard access(folder, W_OK) == 0 else {
            throw KilnError("cannot write \(what) into \(folder): \(String(cString: strerror(errno)))", file: path)
        }
    }

    /// `path` is a folder or can become one: nothing that is not a folder stands there.
    static func checkFolder(_ path: String, _ what: String) throws {
        if FileManager.default.fileExists(atPath: path), !isDirectory(path) {
            throw KilnError("\(what) names an existing file, not a folder", file: path)
        }
    }

    /// Writes `bytes` to `path`, replacing it; a failure names the system's reason (errno).
    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw KilnError("cannot create: \(String(cString: strerror(errno)))", file: path) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw KilnError("cannot write: \(String(cString: strerror(errno)))", file: path) }
            written += n
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
