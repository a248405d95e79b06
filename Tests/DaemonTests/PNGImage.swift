/// A PNG decoder just large enough for a browser's screenshot: 8-bit RGB or RGBA,
/// not interlaced, with its own inflate (RFC 1951, after M. Adler's puff.c), so that
/// a picture test needs no image library or tool beyond the browser.
struct PNGImage {
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    let width: Int
    let height: Int
    /// RGB of each pixel, row by row (alpha dropped: the screenshots are opaque).
    let pixels: [(UInt8, UInt8, UInt8)]

    init(_ bytes: [UInt8]) throws {
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw Invalid(description: "not a PNG") }
        var offset = 8
        var width = 0, height = 0, channels = 0
        var compressed: [UInt8] = []
        func be32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        while offset + 8 <= bytes.count {
            let length = be32(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let start = offset + 8
            guard start + length + 4 <= bytes.count else { throw Invalid(description: "chunk \(type) runs past the end") }
            switch type {
            case "IHDR":
                width = be32(start)
                height = be32(start + 4)
                let depth = bytes[start + 8], colorType = bytes[start + 9], interlace = bytes[start + 12]
                guard depth == 8, interlace == 0, colorType == 2 || colorType == 6 else {
                    throw Invalid(description: "unsupported PNG: depth \(depth), colour type \(colorType), interlace \(interlace)")
                }
                channels = colorType == 6 ? 4 : 3
            case "IDAT":
                compressed += bytes[start..<(start + length)]
            default:
                break
            }
            offset = start + length + 4
            if type == "IEND" { break }
        }
        guard width > 0, height > 0, compressed.count > 2 else { throw Invalid(description: "no image data") }
        // zlib: a 2-byte header, the deflate stream, an Adler-32 (not checked).
        var inflater = Inflater(Array(compressed.dropFirst(2)))
        let raw = try inflater.inflate()
        let stride = width * channels
        guard raw.count >= height * (stride + 1) else { throw Invalid(description: "image data too short") }
        var previous = [UInt8](repeating: 0, count: stride)
        var pixels: [(UInt8, UInt8, UInt8)] = []
        pixels.reserveCapacity(width * height)
        for row in 0..<height {
            let base = row * (stride + 1)
            let filter = raw[base]
            var line = Array(raw[(base + 1)..<(base + 1 + stride)])
            for i in 0..<stride {
                let a = i >= channels ? Int(line[i - channels]) : 0
                let b = Int(previous[i])
                let c = i >= channels ? Int(previous[i - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Invalid(description: "filter \(filter) in row \(row)")
                }
                line[i] = UInt8(truncatingIfNeeded: Int(line[i]) + predictor)
            }
            for x in 0..<width { pixels.append((line[x * channels], line[x * channels + 1], line[x * channels + 2])) }
            previous = line
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Pixels within `tolerance` (per channel) of the colour `#rrggbb`.
    func count(_ hex: String, tolerance: Int = 3) -> Int {
        let value = Int(hex.dropFirst(), radix: 16) ?? 0
        let r = value >> 16 & 0xFF, g = value >> 8 & 0xFF, b = value & 0xFF
        return pixels.reduce(0) { n, p in
            abs(Int(p.0) - r) <= tolerance && abs(Int(p.1) - g) <= tolerance && abs(Int(p.2) - b) <= tolerance ? n + 1 : n
        }
    }
}

/// Raw DEFLATE decoding.
struct Inflater {
    private let input: [UInt8]
    private var position = 0
    private var bitBuffer = 0
    private var bitCount = 0
    private var output: [UInt8] = []

    init(_ input: [UInt8]) { self.input = input }

    private struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for l in 1..<16 { offsets[l] = offsets[l - 1] + counts[l - 1] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = symbol
                offsets[l] += 1
            }
        }
    }

    private mutating func bits(_ n: Int) throws -> Int {
        while bitCount < n {
            guard position < input.count else { throw PNGImage.Invalid(description: "deflate stream ends early") }
            bitBuffer |= Int(input[position]) << bitCount
            position += 1
            bitCount += 8
        }
        let value = bitBuffer & ((1 << n) - 1)
        bitBuffer >>= n
        bitCount -= n
        return value
    }

    private mutating func decode(_ h: Huffman) throws -> Int {
        var code = 0, first = 0, index = 0
        for length in 1..<16 {
            code |= try bits(1)
            let count = h.counts[length]
            if code - count < first { return h.symbols[index + (code - first)] }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw PNGImage.Invalid(description: "bad Huffman code")
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                                       2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    mutating func inflate() throws -> [UInt8] {
        var last = 0
        repeat {
            last = try bits(1)
            switch try bits(2) {
            case 0: try stored()
            case 1:
                let lengths = [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112)
                    + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8)
                try codes(Huffman(lengths: lengths), Huffman(lengths: [Int](repeating: 5, count: 30)))
            case 2: try dynamic()
            default: throw PNGImage.Invalid(description: "bad block type")
            }
        } while last == 0
        return output
    }

    private mutating func stored() throws {
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.count else { throw PNGImage.Invalid(description: "stored block ends early") }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        position += 4
        guard position + length <= input.count else { throw PNGImage.Invalid(description: "stored block ends early") }
        output += input[position..<(position + length)]
        position += length
    }

    private mutating func dynamic() throws {
        let literals = try bits(5) + 257, distances = try bits(5) + 1, codeLengths = try bits(4) + 4
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var lengths = [Int](repeating: 0, count: 19)
        for i in 0..<codeLengths { lengths[order[i]] = try bits(3) }
        let lengthCode = Huffman(lengths: lengths)
        var all: [Int] = []
        while all.count < literals + distances {
            let symbol = try decode(lengthCode)
            switch symbol {
            case 0..<16: all.append(symbol)
            case 16:
                guard let previous = all.last else { throw PNGImage.Invalid(description: "repeat with nothing before") }
                all += [Int](repeating: previous, count: 3 + (try bits(2)))
            case 17: all += [Int](repeating: 0, count: 3 + (try bits(3)))
            default: all += [Int](repeating: 0, count: 11 + (try bits(7)))
            }
        }
        try codes(Huffman(lengths: Array(all[0..<literals])), Huffman(lengths: Array(all[literals..<(literals + distances)])))
    }

    private mutating func codes(_ literal: Huffman, _ distance: Huffman) throws {
        while true {
            let symbol = try decode(literal)
            if symbol < 256 {
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let s = symbol - 257
                guard s < 29 else { throw PNGImage.Invalid(description: "bad length symbol") }
                let length = Self.lengthBase[s] + (try bits(Self.lengthExtra[s]))
                let d = try decode(distance)
                guard d < 30 else { throw PNGImage.Invalid(description: "bad distance symbol") }
                let back = Self.distanceBase[d] + (try bits(Self.distanceExtra[d]))
                guard back <= output.count else { throw PNGImage.Invalid(description: "distance too far back") }
                let from = output.count - back
                for i in 0..<length { output.append(output[from + i]) }
            }
        }
    }
}
