import Bench
import Catalog
import Codegen
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Frontend
import IR
import Optimizer
import Testing

/// `kiln bench`: onnxruntime's profile maps onto Kiln's nodes without losing an entry, and the
/// JSON, Markdown and SVG reports have the promised shape (no timing is asserted).
@Suite struct BenchTests {
    static let fixtures = SharedData.packageRoot.appendingPathComponent("Tests/Fixtures/ort-profiles")
    static let models = SharedData.available("bench mapping tests") == nil ? [] : SharedData.modelNames

    /// onnxruntime 1.32's profiled node names for each public model (recorded once with
    /// `enable_profiling`; durations set to 1 µs): every entry maps to exactly one Kiln node or is
    /// reported unmapped with its operator, and only onnxruntime's own reorders are unmapped.
    @Test(arguments: models)
    func everyOnnxruntimeEntryIsAccountedFor(model: String) throws {
        let fixture = Self.fixtures.appendingPathComponent("\(model).json")
        let entries = try JSONDecoder().decode([ORTMapping.Entry].self, from: Data(contentsOf: fixture))
        let path = SharedData.root.appendingPathComponent("models/\(model)/model.onnx").path
        var graph = try ONNXImporter.load(path: path).graph
        try Pipeline.run(Pipeline.standard(), on: &graph)
        let provenance = Dictionary(uniqueKeysWithValues: graph.nodes.enumerated().map { ($0.offset, $0.element.provenance) })
        let mapping = ORTMapping(entries: entries, onnxNodes: try ONNXNodeList(path: path), provenance: provenance)
        let mappedCount = mapping.mapped.values.reduce(0) { $0 + $1.count }
        #expect(mappedCount + mapping.unmapped.count == entries.count, "\(model): an entry was dropped or counted twice")
        let unmappedOps = Set(mapping.unmapped.map(\.op))
        #expect(unmappedOps.isSubset(of: ["ReorderInput", "ReorderOutput"]), "\(model): unmapped \(mapping.unmapped.prefix(5))")
        // The compute of the model lands on Kiln's nodes: each conv of onnxruntime maps to a node.
        #expect(mapping.mapped.values.joined().filter { $0.op == "Conv" || $0.op == "FusedConv" }.count
                == entries.filter { $0.op == "Conv" || $0.op == "FusedConv" }.count)
        print("\(model): \(entries.count) onnxruntime entries, \(mappedCount) on \(mapping.mapped.count) Kiln nodes, unmapped \(mapping.unmappedByOperator.map { "\($0.op) \($0.count)" })")
    }

    @Test func onnxruntimeNamesResolveToOnnxNodes() {
        let names: Set<String> = ["/a/Conv", "/a/Mul"]
        let producers = ["/a/Conv_output_0": "/a/Conv", "/a/Mul_output_0": "/a/Mul"]
        #expect(ORTMapping.onnxNode(for: "/a/Conv", names: names, producers: producers) == "/a/Conv")
        #expect(ORTMapping.onnxNode(for: "/a/Conv_output_0_nchwc", names: names, producers: producers) == "/a/Conv")
        #expect(ORTMapping.onnxNode(for: "/a/Mul/QuickGeluFusion/", names: names, producers: producers) == "/a/Mul")
        #expect(ORTMapping.onnxNode(for: "ReorderOutput_token_7", names: names, producers: producers) == nil)
        #expect(ORTMapping.onnxNode(for: "/a/Other", names: names, producers: producers) == nil)
    }

    /// The round ratio pairs interleaved rounds: the median of each round's own ratio to the first
    /// variant, which one loaded round cannot move the way it moves a median. Here the rounds say
    /// onnxruntime took twice Kiln's time in two rounds of three, while the two medians are equal.
    @Test func roundRatioPairsTheRounds() throws {
        let json = """
            {"machine": {"cpu": "test", "cores": 2, "isa": "avx512", "peak_gflops": 100, "bandwidth_gbs": 10},
             "models": [{"model": "m", "variants": [
              {"name": "c native 1t", "backend": "c", "target": "native", "threads": 1, "median_ms": 20, "min_ms": 10,
               "rounds_ms": [10, 20, 30], "compile_s": 1, "binary_bytes": 1048576, "layers": []},
              {"name": "onnxruntime 1t", "backend": "onnxruntime", "target": "cpu", "threads": 1, "median_ms": 20,
               "min_ms": 15, "rounds_ms": [20, 15, 60], "compile_s": 0, "binary_bytes": 0, "layers": []}]}]}
            """
        let report = try JSONDecoder().decode(BenchReport.self, from: Data(json.utf8))
        let variants = try #require(report.models.first?.variants)
        #expect(variants[1].roundRatio(to: variants[0]) == 2.0)
        #expect(variants[0].roundRatio(to: variants[0]) == 1.0)
        let markdown = BenchTables(report: report).markdown()
        #expect(markdown.contains("| variant | median ms | min ms | spread | ratio | round ratio |"))
        #expect(markdown.contains("| onnxruntime 1t | 20.00 | 15.00 | ±112.5% | 1.00 | 2.00 |"), "\(markdown)")
    }

    /// "Against onnxruntime" pairs each compiled variant with onnxruntime at its own thread count, round by round and
    /// per image: a batch of 2 that takes 30 ms against onnxruntime's 20 ms for one image is 0.75, and a thread count
    /// onnxruntime did not run gets no row.
    @Test func againstOnnxruntimePairsThreadsRoundsAndImages() throws {
        func variant(_ name: String, _ backend: String, threads: Int, batch: Int, rounds: [Double]) -> String {
            "{\"name\": \"\(name)\", \"backend\": \"\(backend)\", \"target\": \"native\", \"threads\": \(threads), \"batch\": \(batch), "
                + "\"median_ms\": \(rounds.sorted()[rounds.count / 2]), \"min_ms\": \(rounds.min() ?? 0), \"rounds_ms\": \(rounds), "
                + "\"compile_s\": 1, \"binary_bytes\": 1, \"layers\": []}"
        }
        let json = """
            {"machine": {"cpu": "test", "cores": 2, "isa": "avx512", "peak_gflops": 100, "bandwidth_gbs": 10},
             "models": [{"model": "m", "variants": [
              \(variant("c native 1t", "c", threads: 1, batch: 1, rounds: [10, 12, 30])),
              \(variant("c native 2t", "c", threads: 2, batch: 1, rounds: [6, 6, 6])),
              \(variant("c native 3t", "c", threads: 3, batch: 1, rounds: [5, 5, 5])),
              \(variant("c native 1t b2", "c", threads: 1, batch: 2, rounds: [30, 30, 30])),
              \(variant("onnxruntime 1t", "onnxruntime", threads: 1, batch: 1, rounds: [20, 15, 60])),
              \(variant("onnxruntime 2t", "onnxruntime", threads: 2, batch: 1, rounds: [12, 8, 10]))]}]}
            """
        let report = try JSONDecoder().decode(BenchReport.self, from: Data(json.utf8))
        let variants = try #require(report.models.first?.variants)
        #expect(variants[3].roundRatiosPerImage(to: variants[4]) == [0.75, 1.0, 0.25])
        let markdown = BenchTables(report: report).markdown()
        #expect(markdown.contains("| variant | against | ratio per image | rounds |"), "\(markdown)")
        #expect(markdown.contains("| c native 1t | onnxruntime 1t | 0.50 | 0.50–0.80 |"), "\(markdown)")
        #expect(markdown.contains("| c native 2t | onnxruntime 2t | 0.60 | 0.50–0.75 |"), "\(markdown)")
        #expect(markdown.contains("| c native 1t b2 | onnxruntime 1t | 0.75 | 0.25–1.00 |"), "\(markdown)")
        #expect(!markdown.contains("| c native 3t | onnxruntime"), "\(markdown)")
        #expect(BenchTables(report: report).text().contains("against onnxruntime at the same thread count"))
    }

    /// A batch variant runs each layer once per image (`split-batch`): the layer table adds the copies' times, so
    /// its ratio to the one-image variant is per batch, and a copy of another layer is not counted.
    @Test func layerTableAddsTheCopiesOfALayer() throws {
        func layer(_ index: Int, _ name: String, _ us: Double) -> String {
            "{\"index\": \(index), \"name\": \"\(name)\", \"kernel\": \"k\", \"onnx_nodes\": [], \"macs\": 1, \"bytes\": 1, \"median_us\": \(us)}"
        }
        let json = """
            {"machine": {"cpu": "test", "cores": 2, "isa": "avx512", "peak_gflops": 100, "bandwidth_gbs": 10},
             "models": [{"model": "m", "variants": [
              {"name": "c native 1t", "backend": "c", "target": "native", "threads": 1, "median_ms": 1, "min_ms": 1,
               "rounds_ms": [1], "compile_s": 1, "binary_bytes": 1, "layers": [\(layer(0, "conv", 100)), \(layer(1, "conv2", 50))]},
              {"name": "c native 1t b2", "backend": "c", "target": "native", "threads": 1, "median_ms": 2, "min_ms": 2,
               "rounds_ms": [2], "compile_s": 1, "binary_bytes": 1, "layers": [\(layer(0, "conv/image0", 90)),
                \(layer(1, "conv2/image0", 40)), \(layer(2, "conv/image1", 95)), \(layer(3, "conv2/image1", 45))]}]}]}
            """
        let report = try JSONDecoder().decode(BenchReport.self, from: Data(json.utf8))
        let markdown = BenchTables(report: report).markdown()
        #expect(markdown.contains("| 0 | conv | k | 100.0 |") && markdown.contains("| 185.0 | 1.85 |"), "\(markdown)")
        #expect(markdown.contains("| 1 | conv2 | k | 50.0 |") && markdown.contains("| 85.0 | 1.70 |"), "\(markdown)")
        #expect(SplitBatch.original(ofCopy: "a/b/image12") == "a/b")
        #expect(SplitBatch.original(ofCopy: "a/image") == nil && SplitBatch.original(ofCopy: "a/image+1") == nil)
    }

    /// A whole bench of a small model (one round, two runs, batches of 1 and 2): the JSON has the schema of `--json`,
    /// the SVG is well-formed XML, the Markdown has the variant table.
    @Test func reportsHaveTheirShape() throws {
        let model = try ModelBuilder.convRelu().write()
        var options = BenchOptions()
        options.models = [model]
        options.targets = [.native, .generic]
        options.batches = [1, 2]
        options.rounds = 1
        options.runs = 2
        let machine = Machine(cpu: "test CPU", cores: 2, isa: "avx512", peakGFLOPS: 100, bandwidthGBs: 10)
        let report = try BenchRunner.run(options, machine: machine) { _ in }

        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let m = try #require(json["machine"] as? [String: Any])
        #expect(Set(m.keys).isSuperset(of: ["cpu", "cores", "peak_gflops", "bandwidth_gbs"]))
        let models = try #require(json["models"] as? [[String: Any]])
        let variants = try #require(models.first?["variants"] as? [[String: Any]])
        #expect(variants.count == 4 && models.first?["model"] != nil)
        #expect(variants.compactMap { $0["batch"] as? Int } == [1, 1, 2, 2])
        for variant in variants {
            #expect(Set(variant.keys).isSuperset(of: ["name", "backend", "target", "threads", "median_ms", "min_ms", "rounds_ms",
                                                      "compile_s", "binary_bytes", "layers"]))
            let layers = try #require(variant["layers"] as? [[String: Any]])
            #expect(!layers.isEmpty)
            for layer in layers {
                #expect(Set(layer.keys).isSuperset(of: ["index", "name", "kernel", "onnx_nodes", "macs", "bytes", "median_us"]))
            }
        }

        let svg = BenchSVG(report: report).svg()
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "the SVG is not well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(svg.contains("<svg") && svg.contains("roofline"))
        let markdown = BenchTables(report: report).markdown()
        #expect(markdown.contains("| variant | median ms |") && markdown.contains("c native 1t") && markdown.contains("c generic 1t"))
        #expect(markdown.contains("images/s") && markdown.contains("c native 1t b2"))
    }

    /// Hostile names stay text in the SVG.
    @Test func svgEscapesNames() {
        #expect(BenchSVG.escaped("<script>&\"'\u{1}") == "&lt;script&gt;&amp;&quot;&apos;?")
    }
}
