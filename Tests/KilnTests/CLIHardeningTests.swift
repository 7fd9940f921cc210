import Foundation
import Testing

/// The CLI defects a new user hit (issue 12): each is one clear line on stderr and the documented exit status.
@Suite struct CLIHardeningTests {
    let cli = CLITests()

    /// Runs kiln with `environment` added; `interrupt` is called once the process runs and may signal it.
    func run(_ arguments: [String], environment: [String: String] = [:],
             interrupt: ((Process) -> Void)? = nil) throws -> (status: Int32, reason: Process.TerminationReason, stderr: String) {
        guard let kiln = CLITests.kiln else { return (0, .exit, "") }
        let process = Process()
        process.executableURL = kiln
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        interrupt?(process)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason, stderr)
    }

    /// Expects exit `status` and exactly one stderr line containing each of `texts`.
    func expectOneLine(_ r: (status: Int32, stdout: String, stderr: String), _ status: Int32, _ texts: String...,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        for text in texts { #expect(r.stderr.contains(text), "\(r.stderr)", sourceLocation: sourceLocation) }
    }

    func symbolicBatchModel() throws -> String {
        var m = ModelBuilder.convRelu()
        m.inputs = [ModelBuilder.valueInfo("x", dims: [-1, 2, 5, 5])]
        m.outputs = [ModelBuilder.valueInfo("y", dims: [-1, 3, 5, 5])]
        return try m.write()
    }

    @Test func hugeBatchIsRefusedAtImport() throws {
        guard CLITests.kiln != nil else { return }
        let model = try symbolicBatchModel(), dir = try TemporaryFolder.make().path
        let shape = ["--input-shape", "x=100000000x2x5x5"]
        expectOneLine(try cli.run(["run", model, "--input", "/dev/null"] + shape), 1, "input 'x': shape [100000000, 2, 5, 5] needs 19 GiB")
        expectOneLine(try cli.run(["compile", model, "-o", dir + "/bin"] + shape), 1, "one tensor may take at most 4 GiB")
    }

    @Test func endlessAndFolderInputs() throws {
        guard CLITests.kiln != nil else { return }
        let model = try ModelBuilder.convRelu().write(), dir = try TemporaryFolder.make()
        expectOneLine(try cli.run(["run", model, "--input", "/dev/zero"]), 1, "/dev/zero: unrecognized input format")
        let zero = dir.appendingPathComponent("zero.npy").path
        try FileManager.default.createSymbolicLink(atPath: zero, withDestinationPath: "/dev/zero")
        expectOneLine(try cli.run(["run", model, "--input", zero]), 1, "zero.npy: longer than a .npy input of 1x2x5x5 float32 can be")
        expectOneLine(try cli.run(["run", model, "--input", dir.path]), 1, "\(dir.path): cannot read: Is a directory")
    }

    @Test func outputPathsAreCheckedBeforeTheBuild() throws {
        guard CLITests.kiln != nil else { return }
        let model = try ModelBuilder.convRelu().write(), dir = try TemporaryFolder.make().path
        expectOneLine(try cli.run(["compile", model, "-o", dir + "/missing/bin"]), 1, "the folder \(dir)/missing does not exist")
        expectOneLine(try cli.run(["compile", model, "-o", dir]), 1, "-o (the program) is a directory")
        let file = dir + "/file.c"
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        expectOneLine(try cli.run(["compile", model, "-o", dir + "/bin", "--emit-c", file]), 1, "--emit-source names an existing file")
        expectOneLine(try cli.run(["inspect", model, "--format", "onnx", "-o", dir]), 1, "\(dir): -o is a directory")
        expectOneLine(try cli.run(["run", model, "--input", "/dev/null", "--output", dir + "/no/out.npy"]), 1, "does not exist")
    }

    @Test func labelsMustMatchTheClassCount() throws {
        guard CLITests.kiln != nil else { return }
        let model = try ModelBuilder.convRelu().write(), dir = try TemporaryFolder.make().path
        let labels = dir + "/labels.txt"
        try Data((0..<10).map { "class \($0)\n" }.joined().utf8).write(to: URL(fileURLWithPath: labels))
        let expected = "--labels has 10 class names, but the model's output y is float32[1x3x5x5]: 75 classes"
        expectOneLine(try cli.run(["compile", model, "-o", dir + "/bin", "--labels", labels]), 1, expected)
        let npy = RuntimeTests.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 5, 5), }", data: [UInt8](repeating: 0, count: 200))
        let input = try RuntimeTests.write(npy, "x.npy")
        expectOneLine(try cli.run(["run", model, "--input", input, "--labels", labels]), 1, expected)
        expectOneLine(try cli.run(["run", model, "--input", input, "--labels", dir + "/none.txt"]), 1,
                      "cannot read the class names (--labels): \(dir)/none.txt: cannot open: No such file or directory")
    }

    @Test func argumentErrorsExitSixtyFour() throws {
        guard CLITests.kiln != nil else { return }
        let model = try ModelBuilder.convRelu().write()
        expectOneLine(try cli.run(["inspect", model, "--passes", "foo"]), 64, "unknown pass 'foo'; valid passes: ")
        expectOneLine(try cli.run(["inspect", model, "--print-after", "nosuch"]), 64, "--print-after 'nosuch' is not a pass")
        expectOneLine(try cli.run(["inspect", model, "--stop-after", "nosuch"]), 64, "--stop-after 'nosuch' is not a pass")
        expectOneLine(try cli.run(["inspect", model, "--input-shape", "x=1x2xfivex5"]), 64,
                      "--input-shape 'x=1x2xfivex5': dimension 'five' is not a positive integer (expected NAME=DxDxD")
        expectOneLine(try cli.run(["compile", model, "-o", "/tmp/kiln-never", "--input-shape", "x1x2x5x5"]), 64,
                      "there is no '=' between the input name and the shape")
        expectOneLine(try cli.run(["run", model, "--input", "/dev/null", "--top", "-1"]), 64, "--top must be zero or more, got -1")
    }

    @Test func dataFolderErrorsSayWhy() throws {
        guard CLITests.kiln != nil else { return }
        let model = try ModelBuilder.convRelu().write()
        expectOneLine(try cli.run(["verify", model, "--data", "/nonexistent/kiln-data"]), 1,
                      "/nonexistent/kiln-data: cannot list the data folder: No such file or directory")
    }

    @Test func compileSaysWhatItDoesAndCleansUpWhenInterrupted() throws {
        guard CLITests.kiln != nil else { return }
        let model = try ModelBuilder.convRelu().write(), dir = try TemporaryFolder.make()
        let scratch = dir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let done = try run(["compile", model, "-o", dir.appendingPathComponent("bin").path, "--target", "native"],
                           environment: ["TMPDIR": scratch.path])
        #expect(done.status == 0, "\(done.stderr)")
        let lines = done.stderr.split(separator: "\n")
        #expect(lines.count == 3 && lines[0].hasPrefix("kiln: ") && lines[1].contains("for native = "), "\(done.stderr)")
        #expect(lines.last?.contains("native = ") == true, "\(done.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "left behind after a build")

        // The program reads its input as kiln run does: an endless stream or a folder is one line and status 2.
        for input in [try RuntimeTests.link("zero.npy", to: "/dev/zero"), dir.path] {
            let p = Process()
            p.executableURL = dir.appendingPathComponent("bin")
            p.arguments = [input]
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 2 && message.split(separator: "\n").count == 1, "\(message)")
            #expect(message.contains(input == dir.path ? "Is a directory" : "longer than a .npy input"), "\(message)")
        }

        // Ctrl-C once the build folder exists: the folder goes, and the exit still says SIGINT.
        let interrupted = try run(["compile", model, "-o", dir.appendingPathComponent("bin2").path],
                                  environment: ["TMPDIR": scratch.path]) { process in
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, process.isRunning, !Self.hasBuildFolder(under: scratch) { usleep(20_000) }
            process.interrupt()
        }
        #expect(interrupted.reason == .uncaughtSignal && interrupted.status == SIGINT, "\(interrupted)")
        let left = FileManager.default.enumerator(atPath: scratch.path)?.allObjects ?? []
        #expect(left.isEmpty, "left behind in TMPDIR: \(left.prefix(10))")
    }

    static func hasBuildFolder(under folder: URL) -> Bool {
        let fm = FileManager.default
        let scratch = (try? fm.contentsOfDirectory(atPath: folder.path)) ?? []
        return scratch.contains { name in
            ((try? fm.contentsOfDirectory(atPath: folder.appendingPathComponent(name).path)) ?? []).contains { $0.hasPrefix("kiln-build-") }
        }
    }
}
