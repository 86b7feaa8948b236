import Foundation

/// Encodes any `Encodable` straight into a `JSONValue`, for audit record fields (a plan, a
/// predicate's result). Before, each value went through JSONEncoder to bytes and back through
/// JSONSerialization, bridging every number to NSNumber and every object to NSDictionary.
///
/// Same result as that round trip: integers and floating-point numbers become `.number`, a
/// `Date` its ISO 8601 text in UTC without fractions (JSONEncoder's `.iso8601`), nil optionals
/// written with `encodeIfPresent` are left out, and a non-finite number becomes `.null`.
struct JSONValueEncoder {
    static func encode(_ value: some Encodable) -> JSONValue {
        let root = Slot()
        let encoder = Encoding(slot: root, codingPath: [])
        do { try encoder.encodeValue(value) } catch { return .null }
        return root.value
    }

    /// One place a value is written to: a finished value, or an object or array filled later.
    final class Slot {
        enum Content { case value(JSONValue), object([String: Slot]), array([Slot]) }
        var content: Content = .value(.null)

        var value: JSONValue {
            switch content {
            case .value(let value): value
            case .object(let members): .object(members.mapValues(\.value))
            case .array(let items): .array(items.map(\.value))
            }
        }

        // Each takes the storage out of `content` before changing it, so the dictionary or array
        // is mutated in place (uniquely referenced), not copied on every member.
        func member(_ key: String) -> Slot {
            var members: [String: Slot] = if case .object(let existing) = content { existing } else { [:] }
            content = .value(.null)
            let slot = members[key] ?? Slot()
            members[key] = slot
            content = .object(members)
            return slot
        }

        func appended() -> Slot {
            var items: [Slot] = if case .array(let existing) = content { existing } else { [] }
            content = .value(.null)
            let slot = Slot()
            items.append(slot)
            content = .array(items)
            return slot
        }

        var count: Int { if case .array(let items) = content { items.count } else { 0 } }
    }

    struct Encoding: Encoder {
        let slot: Slot
        var codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if case .object = slot.content {} else { slot.content = .object([:]) }
            return KeyedEncodingContainer(Keyed<Key>(slot: slot, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .array = slot.content {} else { slot.content = .array([]) }
            return Unkeyed(slot: slot, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(slot: slot, codingPath: codingPath) }

        func encodeValue(_ value: some Encodable) throws {
            switch value {
            case let date as Date: slot.content = .value(.string(ISO8601Time.seconds(date)))
            case let number as Double: slot.content = .value(number.isFinite ? .number(number) : .null)
            default: try value.encode(to: self)
            }
        }
    }

    struct Single: SingleValueEncodingContainer {
        let slot: Slot
        var codingPath: [any CodingKey]
        func set(_ value: JSONValue) { slot.content = .value(value) }
        func number(_ value: Double) { set(value.isFinite ? .number(value) : .null) }

        mutating func encodeNil() throws { set(.null) }
        mutating func encode(_ value: Bool) throws { set(.bool(value)) }
        mutating func encode(_ value: String) throws { set(.string(value)) }
        mutating func encode(_ value: Double) throws { number(value) }
        mutating func encode(_ value: Float) throws { number(Double(value)) }
        mutating func encode(_ value: Int) throws { number(Double(value)) }
        mutating func encode(_ value: Int8) throws { number(Double(value)) }
        mutating func encode(_ value: Int16) throws { number(Double(value)) }
        mutating func encode(_ value: Int32) throws { number(Double(value)) }
        mutating func encode(_ value: Int64) throws { number(Double(value)) }
        mutating func encode(_ value: UInt) throws { number(Double(value)) }
        mutating func encode(_ value: UInt8) throws { number(Double(value)) }
        mutating func encode(_ value: UInt16) throws { number(Double(value)) }
        mutating func encode(_ value: UInt32) throws { number(Double(value)) }
        mutating func encode(_ value: UInt64) throws { number(Double(value)) }
        mutating func encode(_ value: some Encodable) throws {
            try Encoding(slot: slot, codingPath: codingPath).encodeValue(value)
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let slot: Slot
        var codingPath: [any CodingKey]
        func single(_ key: Key) -> Single { Single(slot: slot.member(key.stringValue), codingPath: codingPath + [key]) }

        mutating func encodeNil(forKey key: Key) throws { single(key).set(.null) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { single(key).set(.bool(value)) }
        mutating func encode(_ value: String, forKey key: Key) throws { single(key).set(.string(value)) }
        mutating func encode(_ value: Double, forKey key: Key) throws { single(key).number(value) }
        mutating func encode(_ value: Float, forKey key: Key) throws { single(key).number(Double(value)) }
        mutating func encode(_ value: Int, forKey key: Key) throws { single(key).number(Double(value)) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { single(key).number(Double(value)) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { single(key).number(Double(value)) }
        mutating func encode(_ value: some Encodable, forKey key: Key) throws {
            try Encoding(slot: slot.member(key.stringValue), codingPath: codingPath + [key]).encodeValue(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            Encoding(slot: slot.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            Encoding(slot: slot.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { Encoding(slot: slot.member("super"), codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { Encoding(slot: slot.member(key.stringValue), codingPath: codingPath + [key]) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let slot: Slot
        var codingPath: [any CodingKey]
        var count: Int { slot.count }
        func next() -> Single { Single(slot: slot.appended(), codingPath: codingPath) }

        mutating func encodeNil() throws { next().set(.null) }
        mutating func encode(_ value: Bool) throws { next().set(.bool(value)) }
        mutating func encode(_ value: String) throws { next().set(.string(value)) }
        mutating func encode(_ value: Double) throws { next().number(value) }
        mutating func encode(_ value: Int) throws { next().number(Double(value)) }
        mutating func encode(_ value: some Encodable) throws {
            try Encoding(slot: slot.appended(), codingPath: codingPath).encodeValue(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            Encoding(slot: slot.appended(), codingPath: codingPath).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            Encoding(slot: slot.appended(), codingPath: codingPath).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { Encoding(slot: slot.appended(), codingPath: codingPath) }
    }
}
