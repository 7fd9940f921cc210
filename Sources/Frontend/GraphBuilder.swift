import IR
import ONNXProto
import Reference

/// Builds the IR graph from a parsed model: one pass over the nodes in dependency order.
struct GraphBuilder {
    private let model: ParsedModel
    private let path: String
    private let options: ImportOptions
    private let decoder: TensorDecoder
    private let opset: Int

    private var graph = Graph()
    private var notes: [String] = []
    /// ONNX tensor name → the IR value holding it.
    private var env: [String: ValueID] = [:]
    private var foldBudget = FoldBudget()
    /// `--batch`: which values carry the batch.
    private var rebatching: Rebatching?

    init(model: ParsedModel, path: String, options: ImportOptions) throws {
        self.model = model
        self.path = path
        self.options = options
        decoder = TensorDecoder(message: model, externalData: ExternalDataResolver(modelPath: path))
        let m = model.message.pointee
        graph.info.irVersion = Int(m.ir_version)
        graph.info.producerName = string(m.producer_name)
        graph.info.producerVersion = string(m.producer_version)
        graph.info.opsets = messages(m.opset_import, m.n_opset_import).map { (string($0.pointee.domain), Int($0.pointee.version)) }
        guard let defaultOpset = graph.info.opsets.first(where: { $0.domain == "" || $0.domain == "ai.onnx" })?.version else {
            throw KilnError("the model imports no version of the default ONNX domain")
        }
        guard supportedOpsets.contains(defaultOpset) else {
            throw KilnError("opset \(defaultOpset) of the default ONNX domain is not supported (Kiln supports \(supportedOpsets.lowerBound) to \(supportedOpsets.upperBound))")
        }
        opset = defaultOpset
        rebatching = options.batch.map(Rebatching.init(batch:))
    }

    mutating func build() throws -> ImportResult {
        guard let g = model.message.pointee.graph?.pointee else { throw KilnError("the model has no graph") }
        graph.info.graphName = string(g.name)
        let nodes = messages(g.node, g.n_node)
        var histogram: [String: Int] = [:]
        for node in nodes { histogram[string(node.pointee.op_type), default: 0] += 1 }

        try checkOperatorsSupported(nodes)
        try importInitializers(g)
        try importInputs(g)
        for index in try topologicalOrder(nodes) {
            try importNode(nodes[index].pointee, index: index)
        }
        try importOutputs(g)
        graph.removeDeadNodes()
        try Verifier.verify(graph)
        return ImportResult(graph: graph, notes: notes, onnxNodeCount: nodes.count, onnxHistogram: histogram)
    }

    // MARK: - Inputs, initializers, outputs

    private mutating func importInitializers(_ g: Onnx__GraphProto) throws {
        for proto in messages(g.initializer, g.n_initializer) {
            let name = string(proto.pointee.name)
            guard !name.isEmpty else { throw KilnError("an initializer has no name") }
            let tensor = try decoder.decode(proto)
            foldBudget.addWeights(tensor)
            env[name] = graph.addConstant(name: name, tensor)
        }
    }

    private mutating func importInputs(_ g: Onnx__GraphProto) throws {
        for info in messages(g.input, g.n_input) {
            let name = string(info.pointee.name)
            if env[name] != nil { continue }  // an input that is also an initializer is a constant
            if let value = options.constantInputs[name] {
                env[name] = graph.addConstant(name: name, value)
                continue
            }
            let (type, rebatched) = try inputType(info.pointee, name: name)
            let id = graph.addValue(name: name, type: type)
            graph.inputs.append(id)
            env[name] = id
            if rebatched { rebatching?.markInput(id) }
        }
        for name in options.inputShapes.keys where !graph.inputs.contains(where: { graph[$0].name == name }) {
            throw KilnError("--input-shape names '\(name)', which is not an input of the model")
        }
        if let rebatching, !rebatching.rebatchedAnyInput {
            throw KilnError("--batch \(rebatching.batch): no input of the model has a batch dimension (a dimension 0 of 1 or symbolic)")
        }
    }

    /// The static type of a graph input, and whether `--batch` re-batched it; symbolic dimensions come from
    /// `--batch` (dimension 0), `inputShapes` or become 1.
    private mutating func inputType(_ info: Onnx__ValueInfoProto, name: String) throws -> (TensorType, rebatched: Bool) {
        guard let tensorType = info.type?.pointee.tensor_type?.pointee else {
            throw KilnError("input '\(name)' is not a tensor")
        }
        let code = Int(tensorType.elem_type)
        guard let elementType = ElementType(onnxCode: code), code != 10 else {
            throw KilnError("input '\(name)' has element type \(ElementType.onnxName(code)), which is not supported")
        }
        let declared = messages(tensorType.shape?.pointee.dim, tensorType.shape?.pointee.n_dim ?? 0).map { dim -> Int? in
            dim.pointee.value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ? Int(dim.pointee.dim_value) : nil
        }
        let rebatchedDims = rebatching?.inputDims(declared)
        let dims = rebatchedDims ?? declared
        var shape: [Int]
        if let pinned = options.inputShapes[name] {
            guard pinned.count == dims.count else {
                throw KilnError("--input-shape gives '\(name)' rank \(pinned.count), but the model declares rank \(dims.count)")
            }
            for (d, (fixed, given)) in zip(dims, pinned).enumerated() where fixed != nil && fixed != given {
                let by = d == 0 && rebatchedDims != nil ? "--batch makes it" : "the model fixes it to"
                throw KilnError("--input-shape sets dimension \(d) of '\(name)' to \(given), but \(by) \(fixed ?? 0)")
            }
            shape = pinned
        } else {
            shape = dims.map { $0 ?? 1 }
            if dims.contains(where: { $0 == nil }) {
                notes.append("note: input '\(name)' has symbolic dimensions; using \(shape.map(String.init).joined(separator: "x")) (pin with --input-shape \(name)=...)")
            }
        }
        do {
            _ = try TensorType.checkedElementCount(shape, elementSize: elementType.byteSize)
        } catch let error as KilnError {
            throw KilnError("input '\(name)': \(error.message)")
        }
        return (TensorType(elementType, shape), rebatchedDims != nil)
    }

    private mutating func importOutputs(_ g: Onnx__GraphProto) throws {
        for info in messages(g.output, g.n_output) {
            let name = string(info.pointee.name)
            guard let id = env[name] else { throw KilnError("graph output '\(name)' is not produced by any node") }
            if let declared = info.pointee.type?.pointee.tensor_type?.pointee {
                let actual = graph.type(of: id)
                let code = Int(declared.elem_type)
                if code != 0, ElementType(onnxCode: code) != actual.elementType {
                    throw KilnError("graph output '\(name)' is declared \(ElementType.onnxName(code)) but computes \(actual)")
                }
                let dims = messages(declared.shape?.pointee.dim, declared.shape?.pointee.n_dim ?? 0)
                if declared.shape != nil, dims.count != actual.rank {
                    throw KilnError("graph output '\(name)' is declared with rank \(dims.count) but computes \(actual)")
                }
                let batched = rebatching?.carries(id) == true
                for (d, dim) in dims.enumerated() where dim.pointee.value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
                    && Int(dim.pointee.dim_value) != actual.shape[d] && !(batched && d == 0 && dim.pointee.dim_value == 1) {
                    throw KilnError("graph output '\(name)' is declared with dimension \(d) = \(dim.pointee.dim_value) but computes \(actual)")
                }
            }
            graph.outputs.append(id)
        }
        guard !graph.outputs.isEmpty else { throw KilnError("the graph has no outputs") }
    }

    // MARK: - Nodes

    /// Lists every unsupported operator at once, so a user sees the whole gap in one run:
    /// grouped by operator, with the nodes that use it.
    private func checkOperatorsSupported(_ nodes: [UnsafeMutablePointer<Onnx__NodeProto>]) throws {
        var unsupported: [String: [String]] = [:]
        var order: [String] = []
        for (index, node) in nodes.enumerated() {
            let n = node.pointee
            let opType = string(n.op_type), domain = string(n.domain)
            let key: String
            if domain != "" && domain != "ai.onnx" {
                let version = graph.info.opsets.first(where: { $0.domain == domain }).map { " version \($0.version)" } ?? ""
                key = "\(domain).\(opType) (unknown domain '\(domain)'\(version))"
            } else if opType != "Constant" && OperatorRegistry.onnxOperators[opType] == nil {
                key = "\(opType) (opset \(opset))"
            } else {
                continue
            }
            if unsupported[key] == nil { order.append(key) }
            unsupported[key, default: []].append("'\(nodeName(n, index: index))'")
        }
        guard !order.isEmpty else { return }
        let shown = 5
        let items = order.map { key -> String in
            let names = unsupported[key] ?? []
            let more = names.count > shown ? " and \(names.count - shown) more" : ""
            return "\(key) in \(names.count == 1 ? "node" : "\(names.count) nodes") \(names.prefix(shown).joined(separator: ", "))\(more)"
        }
        throw KilnError("unsupported operator\(order.count > 1 ? "s" : ""): " + items.joined(separator: "; "))
    }

    private func nodeName(_ n: Onnx__NodeProto, index: Int) -> String {
        let name = string(n.name)
        return name.isEmpty ? "\(string(n.op_type))_\(index)" : name
    }

    /// Indices of `nodes` in an order where every node comes after the producers of its inputs.
    /// Errors on a duplicate output name or a cycle.
    private func topologicalOrder(_ nodes: [UnsafeMutablePointer<Onnx__NodeProto>]) throws -> [Int] {
        var producer: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for output in strings(node.pointee.output, node.pointee.n_output) where !output.isEmpty {
                if let other = producer[output] {
                    throw KilnError("tensor '\(output)' is produced by both '\(nodeName(nodes[other].pointee, index: other))' and '\(nodeName(node.pointee, index: index))'")
                }
                if env[output] != nil {
                    throw KilnError("tensor '\(output)' is both an initializer or graph input and an output of node '\(nodeName(node.pointee, index: index))'")
                }
                producer[output] = index
            }
        }
        var pending = [Int](repeating: 0, count: nodes.count)
        var consumers = [[Int]](repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for input in Set(strings(node.pointee.input, node.pointee.n_input)) where !input.isEmpty {
                if let p = producer[input] {
                    pending[index] += 1
                    consumers[p].append(index)
                }
            }
        }
        var ready = (0..<nodes.count).filter { pending[$0] == 0 }.reversed() as [Int]
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        while let next = ready.popLast() {
            order.append(next)
            for c in consumers[next].reversed() {
                pending[c] -= 1
                if pending[c] == 0 { ready.append(c) }
            }
        }
        if order.count < nodes.count {
            let stuck = (0..<nodes.count).filter { pending[$0] > 0 }.prefix(5).map { "'\(nodeName(nodes[$0].pointee, index: $0))'" }
            throw KilnError("the graph has a cycle through nodes \(stuck.joined(separator: ", "))")
        }
        return order
    }

    private mutating func importNode(_ n: Onnx__NodeProto, index: Int) throws {
        let opType = string(n.op_type)
        let name = nodeName(n, index: index)
        let outputNames = Array(strings(n.output, n.n_output).reversed().drop(while: \.isEmpty).reversed())
        do {
            var attributes = Attributes()
            for a in messages(n.attribute, n.n_attribute) {
                if let value = try decodeAttribute(a.pointee, tensors: decoder) { attributes[string(a.pointee.name)] = value }
            }
            if opType == "Constant" {
                guard outputNames.count == 1 else { throw KilnError("Constant must have one output") }
                let value = try attributes.constantNodeValue()
                foldBudget.addWeights(value)
                env[outputNames[0]] = graph.addConstant(name: outputNames[0], value)
                return
            }
            try importOperator(opType, name: name, attributes: attributes, inputs: strings(n.input, n.n_input), outputs: outputNames)
        } catch let error as KilnError {
            throw KilnError("\(opType): \(error.message)", node: error.node ?? name)
        }
    }

    private mutating func importOperator(_ opType: String, name: String, attributes: Attributes, inputs inputNames: [String], outputs outputNames: [String]) throws {
        guard let kind = OperatorRegistry.onnxOperators[opType] else { throw KilnError("unsupported operator") }
        var inputs: [ImportedInput?] = []
        var ids: [ValueID?] = []
        for inputName in inputNames {
            if inputName.isEmpty {
                inputs.append(nil)
                ids.append(nil)
                continue
            }
            guard let id = env[inputName] else {
                throw KilnError("input '\(inputName)' is not defined: no initializer, graph input or node output has that name")
            }
            inputs.append(ImportedInput(type: graph.type(of: id), constant: graph.constants[id]))
            ids.append(id)
        }
        let requestedOutputs = (outputNames.lastIndex(where: { !$0.isEmpty }) ?? 0) + 1  // trailing "" are omitted outputs
        let (imported, kept) = try kind.importing(ImportedNode(attributes: attributes, opset: opset, inputs: inputs,
                                                               outputCount: requestedOutputs))
        var keptIDs: [ValueID] = []
        for k in kept {
            guard k < ids.count, let id = ids[k] else { throw KilnError("operator keeps input \(k), which is missing") }
            keptIDs.append(id)
        }
        let inputTypes = keptIDs.map(graph.type(of:))
        let op = rebatching?.follow(imported, inputs: keptIDs, types: inputTypes) ?? imported
        let outputTypes: [TensorType]
        do {
            outputTypes = try op.inferTypes(inputTypes)
        } catch let error as KilnError {
            guard let rebatching, keptIDs.contains(where: rebatching.carries) else { throw error }
            throw rebatching.explain(error)
        }
        for type in outputTypes { try type.checkSize() }  // whatever the operator checked, no type escapes the limit
        guard outputNames.count <= outputTypes.count else {
            throw KilnError("the node asks for \(outputNames.count) outputs; Kiln computes \(outputTypes.count) for this operator")
        }
        // Fold when everything is known at compile time.
        let constants = keptIDs.compactMap { graph.constants[$0] }
        var folded: [Tensor]?
        if constants.count == keptIDs.count {
            let work = try foldBudget.charge(op, inputs: inputTypes, outputs: outputTypes)
            let outputs = try Interpreter.evaluate(op, inputs: constants, outputTypes: outputTypes)
            foldBudget.commit(work: work, inputs: constants, outputs: outputs)
            folded = outputs
        } else {
            folded = op.foldFromTypes(inputTypes)
        }
        var outputIDs: [ValueID] = []
        for (i, type) in outputTypes.enumerated() {
            let outputName = i < outputNames.count && !outputNames[i].isEmpty ? outputNames[i] : "\(name):\(i)"
            let id = folded.map { graph.addConstant(name: outputName, $0[i]) } ?? graph.addValue(name: outputName, type: type)
            if i < outputNames.count, !outputNames[i].isEmpty { env[outputNames[i]] = id }
            outputIDs.append(id)
        }
        try rebatching?.checkOutputs(of: opType, inputs: keptIDs, outputs: outputIDs.enumerated().map {
            (id: $0.element, type: outputTypes[$0.offset], constant: folded != nil)
        })
        if folded == nil {
            graph.nodes.append(Node(name: name, op: op, inputs: keptIDs, outputs: outputIDs, provenance: [name]))
        }
    }
}
