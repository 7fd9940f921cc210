import IR

/// Resolves `data_location = EXTERNAL` tensors: `location` relative to the model's folder,
/// `offset` and `length` within it. Files are memory-mapped once and shared by all tensors in them.
///
/// A location that is absolute, contains `..`, or resolves (symlinks included) outside the model's
/// folder is refused: a model file must not be able to read arbitrary files on the machine.
final class ExternalDataResolver {
    private let modelDirectory: String
    private var mapped: [String: MappedFile] = [:]

    init(modelPath: String) {
        let directory = Paths.directory(of: modelPath)
        modelDirectory = Paths.realPath(directory) ?? directory
    }

    func bytes(entries: [(String, String)], expectedLength: Int) throws -> (UnsafeRawBufferPointer, AnyObject) {
        var location: String?
        var offset = 0
        var length: Int?
        for (key, value) in entries {
            switch key {
            case "location": location = value
            case "offset":
                guard let v = Int(value), v >= 0 else { throw KilnError("external data offset '\(value)' is not a valid number") }
                offset = v
            case "length":
                guard let v = Int(value), v >= 0 else { throw KilnError("external data length '\(value)' is not a valid number") }
                length = v
            default: break  // checksum and future keys
            }
        }
        guard let location, !location.isEmpty else { throw KilnError("external data has no location") }
        guard !location.hasPrefix("/") else { throw KilnError("external data location '\(location)' is absolute; it must be relative to the model's folder") }
        guard !location.split(separator: "/").contains("..") else {
            throw KilnError("external data location '\(location)' contains '..'; it must stay inside the model's folder")
        }
        guard !location.contains("\0") else { throw KilnError("external data location contains a NUL byte") }
        let joined = modelDirectory + "/" + location
        guard let resolved = Paths.realPath(joined) else {
            throw KilnError("external data file '\(location)' does not exist next to the model")
        }
        guard resolved.hasPrefix(modelDirectory + "/") else {
            throw KilnError("external data location '\(location)' resolves outside the model's folder (to \(resolved))")
        }
        let file: MappedFile
        if let cached = mapped[resolved] {
            file = cached
        } else {
            file = try MappedFile(path: resolved)
            mapped[resolved] = file
        }
        let size = length ?? (file.bytes.count - offset)
        guard size == expectedLength else {
            throw KilnError("external data in '\(location)' has length \(size), but the tensor's dims need \(expectedLength) bytes")
        }
        let (end, overflow) = offset.addingReportingOverflow(size)
        guard !overflow, end <= file.bytes.count else {
            throw KilnError("external data range \(offset)..<\(offset &+ size) is beyond the end of '\(location)' (\(file.bytes.count) bytes)")
        }
        return (UnsafeRawBufferPointer(rebasing: file.bytes[offset..<end]), file)
    }
}
