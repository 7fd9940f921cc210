import Exporters
import Foundation
@testable import Frontend
import IR
import ONNXProto
import Optimizer
import Testing

/// `kiln inspect`'s writers: ONNX export read back with Kiln's own parser (and, for graphs of
/// standard operators, re-imported to the same IR), Graphviz output that `dot` accepts, the report,
/// the memory summary, and pass selection.
@Suite struct ExportersTests {
    /// Every Kiln operator, a multi-axis Softmax (which ONNX cannot say in one node), the forms whose
    /// attributes become initializers, and the annotations passes write.
    static let kilnGraph = """
        graph "kiln_ops" {
          input %x: float32[1x8x6x6]
          const %w: float32[8x1x3x3]
          const %b: float32[8]
          const %s: float32[8]
          const %w1: float32[2x8]
          const %b1: float32[2]
          const %w2: float32[8x2]
          const %wd: float32[4x288]
          const %bd: float32[4]
          %r: float32[1x8x6x6] = Reorder(%x) {from="NCHW", to="NHWC"} loc("r")
          %c: float32[1x8x6x6] = FusedConv(%r, %w, %b, %x) {strides=[1, 1], pads=[1, 1, 1, 1], dilations=[1, 1], group=8, activation="silu"} [arena_offset=[0], layout="NHWC", layout_reason="depthwise", weight_packing="HWC8"] loc("conv", "bn", "sigmoid", "mul", "add")
          %se: float32[1x8x6x6] = SqueezeExcite(%c, %w1, %b1, %w2, %b)  {activation="silu", gate="hardsigmoid(0.16666667,0.5)"} [arena_offset=[1152]] loc("gap", "fc1", "fc2", "gate", "scale")
          %ss: float32[1x8x6x6] = ScaleShift(%se, %s, %b) [arena_offset=[1152], in_place=1] loc("bn2")
          %a: float32[1x8x6x6] = Relu6(%ss) loc("clip6")
          %cl: float32[1x8x6x6] = Clip(%a) {max=4.0} loc("clip")
          %t: float32[1x8x6x6] = SiLU(%cl) loc("swish")
          %sm: float32[1x8x6x6] = Softmax(%t) {axes=[2, 3]} loc("softmax2d")
          %y: float32[1x4] = Dense(%sm, %wd, %bd) {activation="relu"} loc("gemm", "flatten")
          %q: float32[4] = Reshape(%y) {shape=[-1]} loc("reshape")
          %p: float32[4] = Softmax(%q) {axes=[0]} [layout_reason="1-D"] loc("softmax", "identity_before")
          output %p
        }
        """

    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("kiln-exporters-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
    }

    /// Writes the export to a temporary file (and, when `KILN_KEEP_EXPORTS` names a folder, a copy
    /// there, to check by hand with `onnx.checker` or Netron) and reads it back.
    static func exportAndRead(_ graph: Graph, _ name: String) throws -> (URL, ReadBack) {
        let url = temporaryFile(name)
        let bytes = Data(ONNXExporter(producerVersion: "test").export(graph))
        try bytes.write(to: url)
        if let keep = ProcessInfo.processInfo.environment["KILN_KEEP_EXPORTS"], !keep.isEmpty {
            try bytes.write(to: URL(fileURLWithPath: keep).appendingPathComponent(name))
        }
        return (url, try ReadBack(path: url.path))
    }

    @Test func onnxExportOfKilnOperators() throws {
        let graph = try IRParser.parse(Self.kilnGraph)
        let (url, model) = try Self.exportAndRead(graph, "kiln.onnx")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(model.opsets["ai.kiln"] == 1)
        #expect(model.opsets[""] == 13)
        let kiln = Set(OperatorRegistry.kilnOperators.keys)
        for node in model.nodes {
            #expect(node.domain == (kiln.contains(node.opType) ? "ai.kiln" : ""), "\(node.name) \(node.opType) in domain '\(node.domain)'")
        }
        // The multi-axis Softmax becomes Reshape → Softmax(axis 1) → Reshape; the rest stay one node each.
        #expect(model.nodes.map(\.opType) == ["Reorder", "FusedConv", "SqueezeExcite", "ScaleShift", "Relu6", "Clip", "SiLU",
                                              "Reshape", "Softmax", "Reshape", "Dense", "Reshape", "Softmax"])
        let conv = try #require(model.nodes.first { $0.opType == "FusedConv" })
        #expect(conv.strings["kiln_provenance"] == ["conv", "bn", "sigmoid", "mul", "add"])
        #expect(conv.strings["activation"] == ["silu"])
        #expect(conv.strings["kiln_layout"] == ["NHWC"])
        #expect(conv.ints["kiln_arena_offset"] == [0])
        #expect(conv.ints["pads"] == [1, 1, 1, 1])
        #expect(conv.attributeTypes["group"] == 2 && conv.attributeTypes["pads"] == 7 && conv.attributeTypes["kiln_provenance"] == 8)
        #expect(conv.inputs == ["r", "w", "b", "x"])
        // Clip with only an upper bound: an empty name for the missing min, then a scalar initializer.
        let clip = try #require(model.nodes.first { $0.opType == "Clip" })
        #expect(clip.inputs.count == 3 && clip.inputs[1] == "")
        let bound = try #require(model.initializers[clip.inputs[2]])
        #expect(bound.dims == [] && bound.dataType == 1 && bound.rawBytes == 4)
        let reshape = try #require(model.nodes.last { $0.opType == "Reshape" })
        #expect(model.initializers[reshape.inputs[1]]?.dims == [1])
        #expect(model.nodes.last?.ints["axis"] == [0])
        // Weights are raw data of the right size; every intermediate has a value_info.
        #expect(model.initializers["wd"]?.rawBytes == 4 * 288 * 4)
        #expect(model.inputs == ["x"] && model.outputs == ["p"])
        let produced = Set(model.nodes.flatMap(\.outputs)).subtracting(model.outputs)
        #expect(produced == Set(model.valueInfo))
    }

    /// The fused expand + depthwise node in both exports: its two convs in the DOT label, and an
    /// `ai.kiln` ONNX node with both activations, the depthwise geometry and all five inputs.
    @Test func expandDepthwiseExports() throws {
        let graph = try IRParser.parse("""
            graph "mbconv" {
              input %x: float32[1x8x10x10]
              const %we: float32[48x8x1x1]
              const %be: float32[48]
              const %wd: float32[48x1x3x3]
              const %bd: float32[48]
              %y: float32[1x48x5x5] = ExpandDepthwise(%x, %we, %be, %wd, %bd) {expand_activation="silu", strides=[2, 2], pads=[0, 0, 1, 1], dilations=[1, 1], group=48, activation="relu6"} loc("expand", "dw")
              output %y
            }
            """)
        let dot = DotExporter().export(graph)
        #expect(dot.contains("ExpandDepthwise\\n1x1 +silu → 3x3 s2x2 depthwise +relu6\\n"))
        try Self.expectDotAccepts(dot, "mbconv")
        let (url, model) = try Self.exportAndRead(graph, "mbconv.onnx")
        defer { try? FileManager.default.removeItem(at: url) }
        let node = try #require(model.nodes.first)
        #expect(node.opType == "ExpandDepthwise" && node.domain == "ai.kiln" && node.inputs == ["x", "we", "be", "wd", "bd"])
        #expect(node.strings["expand_activation"] == ["silu"] && node.strings["activation"] == ["relu6"])
        #expect(node.ints["pads"] == [0, 0, 1, 1] && node.ints["group"] == [48])
        #expect(node.strings["kiln_provenance"] == ["expand", "dw"])
    }

    /// Every standard operator, with non-default attributes, exports to an ONNX node that Kiln's
    /// importer reads back as the same operator: the exporter's ONNX spellings (attributes turned
    /// into initializers, the opset each needs) are the inverse of the importers'.
    @Test func everyStandardOperatorReimports() throws {
        let keep = ProcessInfo.processInfo.environment["KILN_KEEP_EXPORTS"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        let folder = try keep ?? TemporaryFolder.make()
        for (index, (op, inputTypes)) in RoundTripTests.samples.enumerated() where OperatorRegistry.kilnOperators[op.opType] == nil {
            var graph = Graph()
            graph.info.opsets = [("", 13)]
            graph.info.graphName = "one_\(op.opType)"
            graph.inputs = inputTypes.enumerated().map { graph.addValue(name: "in\($0.offset)", type: $0.element) }
            let outputs = try op.inferTypes(inputTypes).enumerated().map { graph.addValue(name: "out\($0.offset)", type: $0.element) }
            graph.nodes = [Node(name: "node", op: op, inputs: graph.inputs, outputs: outputs, provenance: ["node"])]
            graph.outputs = outputs
            let url = folder.appendingPathComponent("\(index)-\(op.opType).onnx")
            try Data(ONNXExporter(producerVersion: "test").export(graph)).write(to: url)
            let again: Graph
            do {
                again = try ONNXImporter.load(path: url.path).graph
            } catch {
                Issue.record("\(op.opType) \(op.attributeList): \(error)")
                continue
            }
            if inputTypes.isEmpty || op is Shape {
                // Computable at compile time: the importer folds the node into a constant.
                #expect(again.nodes.isEmpty && again.constants.count == 1, "\(op.opType)")
                continue
            }
            let ops = again.nodes.map(\.op.opType)
            if let softmax = op as? Softmax, softmax.axes.count > 1 {
                #expect(ops == ["Reshape", "Softmax", "Reshape"])
                continue
            }
            if let dropout = op as? Dropout, dropout.maskType != .bool {
                #expect(ops == ["Dropout", "Cast"])
                continue
            }
            if let reduce = op as? ReduceMean, reduce.axes.isEmpty {
                #expect(ops == ["Identity"])
                continue
            }
            guard again.nodes.count == 1, let node = again.nodes.first else {
                Issue.record("\(op.opType) re-imports as \(again.nodes.map(\.op.opType))")
                continue
            }
            #expect(sameOperator(node.op, op), "\(op.opType): \(op) re-imports as \(node.op)")
            #expect(again.outputs.map(again.type(of:)) == outputs.map(graph.type(of:)))
        }
    }

    /// A graph of standard operators survives export and re-import exactly: same IR text, same weights.
    @Test(arguments: SharedData.modelNames)
    func onnxExportReimports(_ name: String) throws {
        guard let root = SharedData.available("ONNX export of \(name)") else { return }
        let graph = try ONNXImporter.load(path: root.appendingPathComponent("models/\(name)/model.onnx").path).graph
        let (url, _) = try Self.exportAndRead(graph, "\(name).onnx")
        defer { try? FileManager.default.removeItem(at: url) }
        let again = try ONNXImporter.load(path: url.path).graph
        #expect(IRPrinter().print(again) == IRPrinter().print(graph))
        var weights: [String: Tensor] = [:]
        for (id, t) in graph.constants { weights[graph[id].name] = t }
        for (id, t) in again.constants {
            let original = try #require(weights[again[id].name])
            #expect(t.type == original.type && t.storage.bytes.prefix(t.type.byteCount).elementsEqual(original.storage.bytes.prefix(t.type.byteCount)),
                    "\(name): constant \(again[id].name) differs after the round trip")
        }
    }

    /// The optimized model exports, and Kiln's parser reads back its structure: one node per IR node
    /// (plus the Softmax expansions), Kiln operators in their domain with their provenance.
    @Test(arguments: SharedData.modelNames)
    func onnxExportOfOptimizedModel(_ name: String) throws {
        guard let root = SharedData.available("optimized ONNX export of \(name)") else { return }
        var graph = try ONNXImporter.load(path: root.appendingPathComponent("models/\(name)/model.onnx").path).graph
        try Pipeline.run(Pipeline.standard(), on: &graph, options: .init(verifyEach: true))
        let (url, model) = try Self.exportAndRead(graph, "\(name)-optimized.onnx")
        defer { try? FileManager.default.removeItem(at: url) }
        let expanded = graph.nodes.filter { ($0.op as? Softmax).map { $0.axes.count > 1 } ?? false }.count
        #expect(model.nodes.count == graph.nodes.count + 2 * expanded)
        let kilnNodes = graph.nodes.filter { OperatorRegistry.kilnOperators[$0.op.opType] != nil }
        #expect(model.nodes.filter { $0.domain == "ai.kiln" }.count == kilnNodes.count)
        #expect(model.opsets["ai.kiln"] == (kilnNodes.isEmpty ? nil : 1))
        for node in model.nodes where node.domain == "ai.kiln" {
            #expect(!(node.strings["kiln_provenance"] ?? []).isEmpty, "\(node.name) has no provenance")
        }
        #expect(model.initializers.count >= graph.constants.count)
        if kilnNodes.isEmpty {
            // Nothing Kiln-specific: the file must import back to the same graph.
            #expect(IRPrinter().print(try ONNXImporter.load(path: url.path).graph) == IRPrinter().print(graph))
        }
    }

    @Test func dotOutput() throws {
        let graph = try IRParser.parse(Self.kilnGraph)
        let dot = DotExporter().export(graph)
        #expect(dot.hasPrefix("digraph \"kiln_ops\" {"))
        // Weights are folded into labels, not drawn: no node per constant, edges only between operators.
        #expect(!dot.contains("label=\"w\\n"))
        #expect(dot.contains("FusedConv\\n3x3 depthwise +silu +residual\\nconst 8x1x3x3, 8\\n→ 1x8x6x6  NHWC\\nfuses 5 ONNX nodes"))
        #expect(dot.contains("peripheries=2"))
        #expect(dot.contains("tooltip=\"absorbs: conv, bn, sigmoid, mul, add\""))
        #expect(dot.contains("n0 -> n1 [label=\"1x8x6x6\"]"))
        #expect(dot.components(separatedBy: " -> ").count - 1 == 13)
        try Self.expectDotAccepts(dot, "kiln_ops")
    }

    @Test func dotOfOptimizedModelParses() throws {
        guard let root = SharedData.available("dot of tv_b0") else { return }
        var graph = try ONNXImporter.load(path: root.appendingPathComponent("models/tv_b0/model.onnx").path).graph
        try Pipeline.run(Pipeline.standard(), on: &graph)
        // Hostile names cannot break out of a label.
        graph.nodes[0].name = "a\"b\\c\n}"
        graph.nodes[0].provenance = ["x\"; evil [", "y"]
        try Self.expectDotAccepts(DotExporter().export(graph), "tv_b0")
    }

    /// Runs `dot -Tsvg` when Graphviz is installed; skips otherwise.
    static func expectDotAccepts(_ text: String, _ name: String) throws {
        guard let dot = ["/usr/bin/dot", "/usr/local/bin/dot", "/opt/homebrew/bin/dot"].first(where: FileManager.default.isExecutableFile) else {
            print("SKIP dot \(name): Graphviz is not installed")
            return
        }
        let input = temporaryFile("\(name).dot")
        try text.write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dot)
        process.arguments = ["-Tsvg", input.path, "-o", "/dev/null"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "dot rejected \(name): \(message)")
    }

    @Test func memorySummaryFromAnnotations() throws {
        let text = """
            graph "planned" {
              input %x: float32[1x8x6x6]
              %a: float32[1x8x6x6] = Relu(%x) [arena_offset=[0]] loc("a")
              %b: float32[1x8x6x6] = Sigmoid(%a) [arena_offset=[1152]] loc("b")
              %c: float32[1x8x6x6] = Relu(%b) [arena_offset=[1152], in_place=1] loc("c")
              %d: float32[1x8x6x6] = Add(%c, %a) [arena_offset=[-1]] loc("d")
              output %d
            }
            """
        let graph = try IRParser.parse(text)
        let memory = MemorySummary(graph)
        // Three tensors of 8·6·6·4 = 1152 bytes at 0, 1152, 1152; the output is outside the arena.
        #expect(memory.arenaBytes == 2304)
        #expect(memory.plannedTensorBytes == 3456 && memory.plannedTensors == 3 && memory.inPlaceNodes == 1)
        #expect(memory.text == "2.2 KiB for 3 tensors of 3.4 KiB (66.7%), 1 in place")
        // A channel-blocked tensor takes its channels rounded up to the block: 8 → 16 doubles %a.
        var blocked = graph
        blocked.nodes[0].annotations["layout"] = .string("NCHW16c")
        #expect(MemorySummary(blocked).arenaBytes == 2304 && MemorySummary(blocked).plannedTensorBytes == 4608)
        var unplanned = graph
        for i in unplanned.nodes.indices { unplanned.nodes[i].annotations = [:] }
        #expect(MemorySummary(unplanned).arenaBytes == nil && MemorySummary(unplanned).text == "not planned")
    }

    @Test func reportShowsLayoutProvenanceAndAnnotations() throws {
        let graph = try IRParser.parse(Self.kilnGraph)
        let source = InspectReport.Source(path: "m.onnx", onnxNodeCount: 30, onnxHistogram: ["Conv": 1])
        let report = InspectReport(source: source, graph: graph, passes: ["canonicalize", "dce"], importedNodeCount: 20)
        let text = report.text()
        #expect(text.contains("optimized   30 ONNX nodes → 20 imported → 11 after canonicalize, dce"))
        #expect(text.contains("arena       "))
        #expect(text.contains("     absorbs: bn, sigmoid, mul, add\n"))
        #expect(text.contains("layout"))
        let json = try report.json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        let conv = try #require(nodes.first { $0["op"] as? String == "FusedConv" })
        #expect((conv["attributes"] as? [String: Any])?["activation"] as? String == "silu")
        #expect((conv["annotations"] as? [String: Any])?["arena_offset"] as? [Int] == [0])
        #expect(conv["layout"] as? String == "NHWC")
        #expect(((object["optimization"] as? [String: Any])?["memory"] as? [String: Any])?["arenaBytes"] as? Int == MemorySummary(graph).arenaBytes)
        // Without passes there is no optimization section and no arena line.
        let plain = InspectReport(source: source, graph: graph)
        #expect(!plain.text().contains("arena"))
    }

    @Test func passSelection() throws {
        #expect(throws: KilnError.self) { try PassSelection(passes: ["dce", "no-such-pass"]).resolve() }
        do {
            _ = try PassSelection(passes: ["no-such-pass"]).resolve()
        } catch let error as KilnError {
            #expect(error.description.contains("unknown pass 'no-such-pass'; valid passes: ") && error.description.contains("dce"))
        }
        #expect(throws: KilnError.self) { try PassSelection(passes: ["dce"], stopAfter: "canonicalize-typo").resolve() }
        #expect(throws: KilnError.self) { try PassSelection.parseList(" , ") }
        #expect(try PassSelection.parseList("dce, dce") == ["dce", "dce"])

        var graph = try IRParser.parse(Self.kilnGraph)
        var printed: [String] = []
        let ran = try PassSelection(passes: ["dce", "dce"], printAfterAll: true, stopAfter: "dce", verifyEach: true)
            .run(on: &graph) { printed.append($0) }
        #expect(ran == ["dce"])
        #expect(printed.count == 1 && printed[0].hasPrefix("# after dce (unchanged)\ngraph \"kiln_ops\" {"))
    }
}

/// An exported model as Kiln's protobuf-c parser reads it.
struct ReadBack {
    struct NodeInfo {
        var name: String, opType: String, domain: String
        var inputs: [String], outputs: [String]
        var attributeTypes: [String: Int] = [:]
        var ints: [String: [Int]] = [:]
        var strings: [String: [String]] = [:]
    }

    var opsets: [String: Int] = [:]
    var nodes: [NodeInfo] = []
    var initializers: [String: (dims: [Int], dataType: Int, rawBytes: Int)] = [:]
    var inputs: [String] = [], outputs: [String] = [], valueInfo: [String] = []

    init(path: String) throws {
        let parsed = try ParsedModel(path: path)
        let m = parsed.message.pointee
        for o in messages(m.opset_import, m.n_opset_import) { opsets[string(o.pointee.domain)] = Int(o.pointee.version) }
        guard let g = m.graph?.pointee else { throw KilnError("no graph") }
        func text(_ d: ProtobufCBinaryData) -> String { String(decoding: UnsafeRawBufferPointer(start: d.data, count: d.len), as: UTF8.self) }
        for n in messages(g.node, g.n_node).map(\.pointee) {
            var info = NodeInfo(name: string(n.name), opType: string(n.op_type), domain: string(n.domain),
                                inputs: strings(n.input, n.n_input), outputs: strings(n.output, n.n_output))
            for a in messages(n.attribute, n.n_attribute).map(\.pointee) {
                let name = string(a.name)
                info.attributeTypes[name] = Int(a.type)
                switch a.type {
                case 2: info.ints[name] = [Int(a.i)]
                case 7: info.ints[name] = scalars(a.ints, a.n_ints).map(Int.init)
                case 3: info.strings[name] = [text(a.s)]
                case 8: info.strings[name] = UnsafeBufferPointer(start: a.strings, count: a.n_strings).map(text)
                default: break
                }
            }
            nodes.append(info)
        }
        for t in messages(g.initializer, g.n_initializer).map(\.pointee) {
            initializers[string(t.name)] = (scalars(t.dims, t.n_dims).map(Int.init), Int(t.data_type), t.raw_data.len)
        }
        inputs = messages(g.input, g.n_input).map { string($0.pointee.name) }
        outputs = messages(g.output, g.n_output).map { string($0.pointee.name) }
        valueInfo = messages(g.value_info, g.n_value_info).map { string($0.pointee.name) }
    }
}
