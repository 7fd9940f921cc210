// Build tool behind the EmbedCSources plugin: writes a Swift file holding the sources that every
// program Kiln generates is compiled with (Sources/Runtime, Sources/Kernels; Sources/SwiftKernels for
// the Swift backend), so the kiln binary carries them and needs no files beside it.
//
//     embed-c-sources OUTPUT.swift PACKAGE_ROOT DIR...
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 4 else {
    FileHandle.standardError.write(Data("usage: embed-c-sources OUTPUT.swift PACKAGE_ROOT DIR...\n".utf8))
    exit(64)
}
let root = URL(fileURLWithPath: arguments[2])
var lines = [
    "// Generated at build time by embed-c-sources from \(arguments[3...].joined(separator: ", ")). Do not edit.",
    "enum EmbeddedSources {",
    "    /// (path relative to the package root, contents), sorted by path.",
    "    static let files: [(path: String, contents: String)] = [",
]
var found: [String] = []
for dir in arguments[3...] {
    let base = root.appendingPathComponent(dir)
    guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
    while let relative = walker.nextObject() as? String {
        if relative.hasPrefix("tests") { continue }
        if relative.hasSuffix(".c") || relative.hasSuffix(".h") || relative.hasSuffix(".swift") { found.append(dir + "/" + relative) }
    }
}
for path in found.sorted() {
    let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    // A base-64 literal keeps any bytes of the C file out of Swift's string syntax.
    lines.append("        (\"\(path)\", String(decoding: Data(base64Encoded: \"\(Data(text.utf8).base64EncodedString())\") ?? Data(), as: UTF8.self)),")
}
lines += ["    ]", "}", ""]
let output = "import Foundation\n\n" + lines.joined(separator: "\n")
try output.write(toFile: arguments[1], atomically: true, encoding: .utf8)
