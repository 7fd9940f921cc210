import Foundation
import Optimizer

/// `kiln bench`'s tables, as aligned text for the terminal or as Markdown for a README or an issue:
/// per model, the variants' whole-run medians, spreads and ratios to the first variant (of the
/// medians, and the median of the rounds' own ratios: see `BenchReport.Variant.roundRatio`), each
/// compiled variant against onnxruntime at its thread count (per image, round by round), then the
/// slowest layers side by side with each variant's µs, the first variant's roofline %, and ratios.
public struct BenchTables {
    public var report: BenchReport
    /// How many layers the per-layer table shows (slowest first); the JSON has them all.
    public var layerRows: Int

    public init(report: BenchReport, layerRows: Int = 20) {
        self.report = report
        self.layerRows = layerRows
    }

    /// A table: a header row and rows of cells; `numeric[i]` right-aligns column i.
    struct Table {
        var header: [String]
        var rows: [[String]]
        var numeric: [Bool]

        func text(indent: String = "  ") -> String {
            let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
            func line(_ cells: [String]) -> String {
                indent + cells.enumerated().map { c, cell in
                    let pad = String(repeating: " ", count: max(0, widths[c] - cell.count))
                    return numeric[c] ? pad + cell : cell + pad
                }.joined(separator: "  ")
            }
            return ([line(header)] + rows.map(line)).map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
                .joined(separator: "\n") + "\n"
        }

        func markdown() -> String {
            func line(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
            let rule = "| " + numeric.map { $0 ? "---:" : "---" }.joined(separator: " | ") + " |"
            return ([line(header), rule] + rows.map(line)).joined(separator: "\n") + "\n"
        }
    }

    func variantTable(_ model: BenchReport.Model) -> Table {
        let first = model.variants.first
        let rows = model.variants.map { v in
            [v.name, String(format: "%.2f", v.medianMs), String(format: "%.2f", v.minMs), String(format: "±%.1f%%", 50 * v.spread),
             first.map { $0.medianMs > 0 ? String(format: "%.2f", v.medianMs / $0.medianMs) : "-" } ?? "-",
             first.flatMap { v.roundRatio(to: $0) }.map { String(format: "%.2f", $0) } ?? "-",
             String(format: "%.1f", v.imagesPerSecond),
             v.backend == "onnxruntime" ? "-" : String(format: "%.1f", v.compileS),
             v.backend == "onnxruntime" ? "-" : String(format: "%.1f MiB", Double(v.binaryBytes) / 1_048_576)]
        }
        return Table(header: ["variant", "median ms", "min ms", "spread", "ratio", "round ratio", "images/s", "compile s", "binary"],
                     rows: rows, numeric: [false, true, true, true, true, true, true, true, true])
    }

    /// Each compiled variant against onnxruntime at its thread count: the median of the rounds' ratios of time per
    /// image, and their range (the rounds are interleaved, so each ratio pairs two runs under the same load); nil
    /// without onnxruntime.
    func againstTable(_ model: BenchReport.Model) -> Table? {
        let ort = model.variants.filter { $0.backend == "onnxruntime" }
        let rows: [[String]] = model.variants.filter { $0.backend != "onnxruntime" }.compactMap { v in
            guard let reference = ort.first(where: { $0.threads == v.threads }) else { return nil }
            let ratios = v.roundRatiosPerImage(to: reference)
            guard let lo = ratios.min(), let hi = ratios.max() else { return nil }
            return [v.name, reference.name, String(format: "%.2f", median(ratios)), String(format: "%.2f–%.2f", lo, hi)]
        }
        guard !rows.isEmpty else { return nil }
        return Table(header: ["variant", "against", "ratio per image", "rounds"], rows: rows, numeric: [false, false, true, true])
    }

    /// The per-layer table: layers of the first variant, slowest first; other variants matched by
    /// node name (onnxruntime by the first variant's node index).
    func layerTable(_ model: BenchReport.Model) -> Table? {
        guard let first = model.variants.first, !first.layers.isEmpty else { return nil }
        let others = model.variants.dropFirst()
        var header = ["#", "node", "kernel", "\(first.name) µs", "roofline"]
        for v in others { header += ["\(v.name) µs", "ratio"] }
        var rows: [[String]] = []
        for layer in first.layers.sorted(by: { $0.medianUs > $1.medianUs }).prefix(layerRows) {
            let (fraction, bound) = roofline(macs: layer.macs, bytes: layer.bytes, microseconds: layer.medianUs, machine: report.machine,
                                           threads: first.threads)
            var row = [String(layer.index), Self.shortened(layer.name), layer.kernel, String(format: "%.1f", layer.medianUs),
                       String(format: "%.0f%% %@", 100 * fraction, bound == "compute" ? "C" : "M")]
            for v in others {
                // A variant of N images runs a layer once per image (`split-batch`): its copies' times add up.
                let matches = v.backend == "onnxruntime" ? v.layers.filter { $0.index == layer.index }
                    : v.layers.filter { $0.name == layer.name || SplitBatch.original(ofCopy: $0.name) == layer.name }
                if !matches.isEmpty {
                    let us = matches.reduce(0) { $0 + $1.medianUs }
                    row += [String(format: "%.1f", us), layer.medianUs > 0 ? String(format: "%.2f", us / layer.medianUs) : "-"]
                } else {
                    row += ["-", "-"]
                }
            }
            rows.append(row)
        }
        return Table(header: header, rows: rows, numeric: header.indices.map { $0 == 0 || $0 >= 3 })
    }

    /// The last path components of a long ONNX name, which tell layers apart.
    static func shortened(_ name: String, limit: Int = 44) -> String {
        guard name.count > limit else { return name }
        return "…" + name.suffix(limit - 1)
    }

    var machineLine: String {
        let m = report.machine
        return String(format: "machine: %@, %d cores; roofline per core (%@): peak %.1f GFLOP/s, bandwidth %.1f GB/s",
                      m.cpu, m.cores, m.isa, m.peakGFLOPS, m.bandwidthGBs)
    }

    func unmappedLine(_ variant: BenchReport.Variant) -> String? {
        guard let unmapped = variant.unmapped, !unmapped.isEmpty else { return nil }
        let parts = unmapped.map { String(format: "%@ %.1f µs (%d)", $0.op, $0.medianUs, $0.entries.count) }
        return "\(variant.name) time mapped to no Kiln node: " + parts.joined(separator: ", ")
    }

    public func text() -> String {
        var out = machineLine + "\n"
        for model in report.models {
            out += "\n\(model.model)\n" + variantTable(model).text()
            if let skipped = model.skipped { out += "  \(skipped)\n" }
            if let against = againstTable(model) {
                out += "  against onnxruntime at the same thread count (median of the rounds' ratios, and their range):\n" + against.text()
            }
            if let layers = layerTable(model) {
                out += "  slowest layers (roofline: % of the bound of the first variant, C compute / M memory):\n" + layers.text()
            }
            for v in model.variants { if let line = unmappedLine(v) { out += "  " + line + "\n" } }
        }
        return out
    }

    public func markdown() -> String {
        var out = machineLine + "\n"
        for model in report.models {
            out += "\n#### \(model.model)\n\n" + variantTable(model).markdown()
            if let skipped = model.skipped { out += "\n\(skipped)\n" }
            if let against = againstTable(model) {
                out += "\nAgainst onnxruntime at the same thread count (median of the rounds' ratios, and their range):\n\n" + against.markdown()
            }
            if let layers = layerTable(model) {
                out += "\nSlowest layers (roofline: % of the first variant's bound, C compute / M memory):\n\n" + layers.markdown()
            }
            for v in model.variants { if let line = unmappedLine(v) { out += "\n" + line + "\n" } }
        }
        return out
    }
}
