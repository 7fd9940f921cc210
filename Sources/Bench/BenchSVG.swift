import Foundation

/// `kiln bench --svg`: the report as pictures a browser opens, drawn here without a plotting library.
/// Per model: whole-model latency per variant (bars with the rounds' min–max), the slowest layers as
/// grouped bars (one bar per variant), and a roofline chart (each layer of the first variant a point
/// at its arithmetic intensity and GFLOP/s, under the measured compute and bandwidth ceilings, log–log).
public struct BenchSVG {
    public var report: BenchReport
    public var layerBars: Int

    public init(report: BenchReport, layerBars: Int = 16) {
        self.report = report
        self.layerBars = layerBars
    }

    static let width = 960.0
    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"]

    /// Text safe inside SVG (XML) content and attributes.
    public static func escaped(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 allows tab, newline, carriage return and everything from U+0020 on.
                if scalar.value >= 0x20 || scalar == "\t" || scalar == "\n" { out.unicodeScalars.append(scalar) } else { out += "?" }
            }
        }
        return out
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    struct Canvas {
        var body = ""
        mutating func text(_ x: Double, _ y: Double, _ s: String, size: Int = 12, anchor: String = "start", weight: String = "normal") {
            body += "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\">\(escaped(s))</text>\n"
        }
        mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ fill: String, title: String? = nil) {
            body += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(max(w, 0)))\" height=\"\(f(max(h, 0)))\" fill=\"\(fill)\">"
            if let title { body += "<title>\(escaped(title))</title>" }
            body += "</rect>\n"
        }
        mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ stroke: String = "#888", dash: Bool = false) {
            body += "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\"\(dash ? " stroke-dasharray=\"4 3\"" : "")/>\n"
        }
        mutating func circle(_ x: Double, _ y: Double, _ fill: String, title: String) {
            body += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"4\" fill=\"\(fill)\" fill-opacity=\"0.75\"><title>\(escaped(title))</title></circle>\n"
        }
    }

    public func svg() -> String {
        var canvas = Canvas()
        var y = 30.0
        canvas.text(20, y, "Kiln bench: \(report.machine.cpu) (\(report.machine.isa)), peak \(Self.f(report.machine.peakGFLOPS)) GFLOP/s, "
                    + "bandwidth \(Self.f(report.machine.bandwidthGBs)) GB/s", size: 14, weight: "bold")
        y += 20
        for model in report.models {
            y = latencyChart(model, &canvas, top: y + 20)
            y = layerChart(model, &canvas, top: y + 30)
            y = rooflineChart(model, &canvas, top: y + 30)
        }
        let height = y + 30
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.f(Self.width))\" height=\"\(Self.f(height))\" "
            + "viewBox=\"0 0 \(Self.f(Self.width)) \(Self.f(height))\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + canvas.body + "</svg>\n"
    }

    /// Horizontal bars: each variant's median, with a whisker from the fastest to the slowest round.
    func latencyChart(_ model: BenchReport.Model, _ c: inout Canvas, top: Double) -> Double {
        c.text(20, top, "\(model.model): whole-model latency (median of rounds, ms; whisker: min–max round)", size: 13, weight: "bold")
        let longest = model.variants.flatMap(\.roundsMs).max() ?? 1
        let left = 200.0, span = Self.width - left - 80
        var y = top + 14
        for (i, v) in model.variants.enumerated() {
            let scale = span / max(longest, 1e-9)
            c.text(left - 8, y + 13, v.name, anchor: "end")
            c.rect(left, y, v.medianMs * scale, 18, Self.palette[i % Self.palette.count], title: "\(v.name): \(Self.f(v.medianMs)) ms")
            let hi = v.roundsMs.max() ?? v.medianMs
            if let lo = v.roundsMs.min() { c.line(left + lo * scale, y + 9, left + hi * scale, y + 9, "#222") }
            c.text(left + max(v.medianMs, hi) * scale + 6, y + 13, String(format: "%.2f ms", v.medianMs))
            y += 24
        }
        return y
    }

    /// The slowest layers of the first variant; one bar per variant and layer, µs.
    func layerChart(_ model: BenchReport.Model, _ c: inout Canvas, top: Double) -> Double {
        guard let first = model.variants.first, !first.layers.isEmpty else { return top }
        let layers = first.layers.sorted { $0.medianUs > $1.medianUs }.prefix(layerBars)
        c.text(20, top, "\(model.model): slowest layers (µs per run)", size: 13, weight: "bold")
        func match(_ v: BenchReport.Variant, _ layer: BenchReport.Layer) -> Double? {
            (v.backend == "onnxruntime" ? v.layers.first { $0.index == layer.index } : v.layers.first { $0.name == layer.name })?.medianUs
        }
        let longest = layers.flatMap { layer in model.variants.compactMap { match($0, layer) } }.max() ?? 1
        let left = 300.0, span = Self.width - left - 80, bar = 10.0
        var y = top + 12
        for layer in layers {
            c.text(left - 8, y + 10, "#\(layer.index) \(BenchTables.shortened(layer.name, limit: 40))", size: 11, anchor: "end")
            for (i, v) in model.variants.enumerated() {
                guard let us = match(v, layer) else { continue }
                c.rect(left, y + Double(i) * bar, us / max(longest, 1e-9) * span, bar - 1, Self.palette[i % Self.palette.count],
                       title: "\(v.name) #\(layer.index): \(Self.f(us)) µs")
            }
            y += Double(model.variants.count) * bar + 6
        }
        for (i, v) in model.variants.enumerated() {
            c.rect(left + Double(i) * 150, y + 4, 10, 10, Self.palette[i % Self.palette.count])
            c.text(left + Double(i) * 150 + 14, y + 13, v.name, size: 11)
        }
        return y + 20
    }

    /// Log–log roofline: x = FLOPs per byte, y = GFLOP/s; ceilings min(peak, bandwidth · x).
    func rooflineChart(_ model: BenchReport.Model, _ c: inout Canvas, top: Double) -> Double {
        guard let first = model.variants.first(where: { $0.backend != "onnxruntime" }), !first.layers.isEmpty else { return top }
        let machine = report.machine
        c.text(20, top, "\(model.model): roofline of \(first.name) (each layer a point; lines: measured ceilings)", size: 13, weight: "bold")
        let (x0, x1, y0, y1) = (0.01, 1000.0, 0.01, max(1000.0, machine.peakGFLOPS * 2))
        let left = 80.0, right = Self.width - 40, plotTop = top + 20, bottom = plotTop + 320
        func px(_ x: Double) -> Double { left + (log10(x) - log10(x0)) / (log10(x1) - log10(x0)) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (log10(y) - log10(y0)) / (log10(y1) - log10(y0)) * (bottom - plotTop) }
        c.line(left, bottom, right, bottom, "#000")
        c.line(left, plotTop, left, bottom, "#000")
        var tick = x0
        while tick <= x1 {
            c.line(px(tick), bottom, px(tick), bottom + 4, "#000")
            c.text(px(tick), bottom + 16, tick < 1 ? String(format: "%g", tick) : String(format: "%.0f", tick), size: 10, anchor: "middle")
            tick *= 10
        }
        tick = y0
        while tick <= y1 {
            c.line(left - 4, py(tick), left, py(tick), "#000")
            c.text(left - 6, py(tick) + 3, tick < 1 ? String(format: "%g", tick) : String(format: "%.0f", tick), size: 10, anchor: "end")
            tick *= 10
        }
        c.text((left + right) / 2, bottom + 32, "arithmetic intensity (FLOP/byte)", size: 11, anchor: "middle")
        c.text(left - 50, plotTop - 6, "GFLOP/s", size: 11)
        // The ceilings: bandwidth · intensity up to the ridge, then the peak.
        let ridge = machine.bandwidthGBs > 0 ? machine.peakGFLOPS / machine.bandwidthGBs : x1
        c.line(px(x0), py(max(y0, machine.bandwidthGBs * x0)), px(min(ridge, x1)), py(min(machine.peakGFLOPS, machine.bandwidthGBs * min(ridge, x1))), "#d62728")
        c.line(px(min(ridge, x1)), py(machine.peakGFLOPS), px(x1), py(machine.peakGFLOPS), "#d62728")
        c.text(right - 4, py(machine.peakGFLOPS) - 6, "peak \(Self.f(machine.peakGFLOPS)) GFLOP/s", size: 10, anchor: "end")
        for layer in first.layers where layer.macs > 0 && layer.bytes > 0 && layer.medianUs > 0 {
            let intensity = 2 * Double(layer.macs) / Double(layer.bytes), gflops = 2 * Double(layer.macs) / (layer.medianUs * 1e3)
            guard intensity >= x0, intensity <= x1, gflops >= y0, gflops <= y1 else { continue }
            c.circle(px(intensity), py(gflops), Self.palette[0],
                     title: "#\(layer.index) \(layer.name) (\(layer.kernel)): \(Self.f(gflops)) GFLOP/s at \(String(format: "%.2f", intensity)) FLOP/B")
        }
        return bottom + 40
    }
}
