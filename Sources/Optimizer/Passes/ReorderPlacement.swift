import IR

/// How `select-kernel` materializes layout changes as `Reorder` nodes, and cancels redundant ones.
enum ReorderPlacement {
    /// Inserts a `Reorder` wherever node `i` reads input `s` in `wanted[i][s]` but the value is in
    /// another layout (`layouts`, NCHW when absent), and before graph outputs not in NCHW. One
    /// reorder per (value, layout), placed before its first consumer and shared by later ones.
    static func insert(in graph: inout Graph, layouts: [ValueID: Layout], wanted: [[Layout]]) {
        var converted: [ValueID: [Layout: ValueID]] = [:]
        var result: [Node] = []
        result.reserveCapacity(graph.nodes.count)

        func convert(_ value: ValueID, to layout: Layout) -> ValueID {
            let have = layouts[value] ?? .nchw
            let type = graph.type(of: value)
            guard !Layout.sameBytes(have, layout, for: type) else { return value }
            if let done = converted[value]?[layout] { return done }
            let name = "\(graph[value].name).\(layout.rawValue.lowercased())"
            let output = graph.addValue(name: name, type: type)
            result.append(Node(name: name, op: Reorder(from: have, to: layout), inputs: [value], outputs: [output],
                               provenance: [name]))
            converted[value, default: [:]][layout] = output
            return output
        }

        for (index, node) in graph.nodes.enumerated() {
            var node = node
            for slot in node.inputs.indices where slot < wanted[index].count {
                node.inputs[slot] = convert(node.inputs[slot], to: wanted[index][slot])
            }
            result.append(node)
        }
        graph.outputs = graph.outputs.map { convert($0, to: .nchw) }
        graph.nodes = result
    }

    /// Removes redundant reorders until none is left: a reorder between layouts with the same bytes
    /// (A→A included) is dropped; one that reads another reorder's result reads that reorder's
    /// input instead (A→B→C becomes A→C, and A→B→A becomes A→A, then dropped); two reorders of one
    /// value to one layout merge. Reorders nobody reads any more are removed.
    static func cancel(in graph: inout Graph) {
        var changed = true
        while changed {
            changed = false
            let producers = graph.producers()
            var seen: [String: ValueID] = [:]
            for index in graph.nodes.indices {
                guard var reorder = graph.nodes[index].op as? Reorder else { continue }
                let input = graph.nodes[index].inputs[0], output = graph.nodes[index].outputs[0]
                if let p = producers[input], let inner = graph.nodes[p].op as? Reorder {
                    reorder.from = inner.from
                    graph.nodes[index].op = reorder
                    graph.nodes[index].inputs[0] = graph.nodes[p].inputs[0]
                    changed = true
                    break  // producers changed; rescan
                }
                if Layout.sameBytes(reorder.from, reorder.to, for: graph.type(of: input)) {
                    graph.replaceAllUses(of: output, with: input)
                    graph.nodes.remove(at: index)
                    changed = true
                    break
                }
                let key = "\(input.index) \(reorder.from.rawValue) \(reorder.to.rawValue)"
                if let earlier = seen[key] {
                    graph.replaceAllUses(of: output, with: earlier)
                    graph.nodes.remove(at: index)
                    changed = true
                    break
                }
                seen[key] = output
            }
            // Reorders that lost their last reader.
            let used = Set(graph.nodes.flatMap(\.inputs)).union(graph.outputs)
            let count = graph.nodes.count
            graph.nodes.removeAll { $0.op is Reorder && !$0.outputs.contains(where: used.contains) }
            changed = changed || graph.nodes.count != count
        }
    }
}
