import Foundation
import Frontend
import IR

/// Where the test data lives: `$KILN_SHARED`, else `../shared` beside the package.
enum SharedData {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let root: URL = {
        if let env = ProcessInfo.processInfo.environment["KILN_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    /// The shared folder if it is there; otherwise prints why the caller skips, once per caller.
    static func available(_ what: String) -> URL? {
        if FileManager.default.fileExists(atPath: root.appendingPathComponent("README.md").path) { return root }
        print("SKIP \(what): no shared data at \(root.path) (set KILN_SHARED to its folder)")
        return nil
    }

    static var modelNames: [String] {
        let dir = root.appendingPathComponent("models")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    /// `test_data_set_*` folders of a model or conformance case, sorted.
    static func dataSets(_ caseDir: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: caseDir.path)) ?? []
        return names.filter { $0.hasPrefix("test_data_set_") }.sorted().map { caseDir.appendingPathComponent($0) }
    }

    /// `prefix_0.pb`, `prefix_1.pb`, … of a data set, in index order.
    static func tensors(_ dataSet: URL, prefix: String) throws -> [Tensor] {
        var result: [Tensor] = []
        while true {
            let file = dataSet.appendingPathComponent("\(prefix)_\(result.count).pb")
            guard FileManager.default.fileExists(atPath: file.path) else { return result }
            result.append(try TensorFile.read(path: file.path))
        }
    }
}

/// Comparison of a result against a reference output.
struct Difference {
    var maxAbs: Double = 0
    var maxRef: Double = 0
    var relative: Double { maxRef > 0 ? maxAbs / maxRef : maxAbs }

    init(_ y: Tensor, _ ref: Tensor) {
        let a = y.doubles(), b = ref.doubles()
        for (u, v) in zip(a, b) {
            maxAbs = max(maxAbs, abs(u - v))
            maxRef = max(maxRef, abs(v))
        }
    }
}

func argmax(_ t: Tensor) -> Int {
    let v = t.doubles()
    return v.indices.max { v[$0] < v[$1] } ?? -1
}
