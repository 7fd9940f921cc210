import Foundation
import IR
import KilnRuntime

extension DataSet {
    init(name: String, input: String, expectedOutput: String?) {
        self.name = name
        self.input = input
        self.expectedOutput = expectedOutput
    }

    /// The data sets a graph whose input takes a batch of N (`--batch N`) runs on. A data set of one image
    /// becomes the first of a batch followed by the next data sets in turn (data sets 0, 1 and a batch of 4:
    /// 0 1 0 1 and 1 0 1 0), its input and expected output written as `.npy` files of the whole batch into
    /// `folder`; a data set that already holds a whole batch is kept. Every image is thus checked in
    /// every slot it lands in, against the interpreter on the same batch and its own expected output.
    static func batches(of sets: [DataSet], for inputType: TensorType, in folder: URL) throws -> [DataSet] {
        guard let batch = inputType.shape.first, batch > 1 else { return sets }
        let imageType = TensorType(inputType.elementType, [1] + inputType.shape.dropFirst())
        return try sets.indices.map { first in
            if (try? DataFiles.input(sets[first].input, type: inputType)) != nil { return sets[first] }
            let members = (0..<batch).map { sets[(first + $0) % sets.count] }
            var input: [Float] = [], expected: [Float] = [], expectedShape: [Int]?
            for member in members {
                // `floats` points into the tensor's storage: the tensors stay alive until they are copied.
                let image = try DataFiles.input(member.input, type: imageType)
                withExtendedLifetime(image) { input += image.floats }
                if let path = member.expectedOutput {
                    let tensor = try DataFiles.expected(path)
                    withExtendedLifetime(tensor) { expected += tensor.floats }
                    expectedShape = [batch] + tensor.shape.dropFirst()
                }
            }
            let stem = folder.appendingPathComponent("batch-\(first)").path
            try write(input, shape: inputType.shape, to: stem + "-input.npy")
            let complete = expectedShape != nil && members.allSatisfy { $0.expectedOutput != nil }
            if let expectedShape, complete { try write(expected, shape: expectedShape, to: stem + "-output.npy") }
            return DataSet(name: "batch of " + members.map(\.name).joined(separator: " "), input: stem + "-input.npy",
                           expectedOutput: complete ? stem + "-output.npy" : nil)
        }
    }

    private static func write(_ values: [Float], shape: [Int], to path: String) throws {
        let dims = shape.map(Int64.init)
        try runtimeCall { err in kiln_npy_write(path, values, dims, Int32(dims.count), err, Int(KILN_ERR_LEN)) }
    }
}
