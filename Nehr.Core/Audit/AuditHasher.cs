using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Nehr.Core.Audit;

/// <summary>
/// The canonical form of an audit event and its SHA-256. Every field, in a fixed order, as compact JSON;
/// the previous event's hash is part of it, which is what chains the events.
/// </summary>
/// <remarks>
/// An event of the first chain whose position is its sequence (every event written before the trail had several chains,
/// and every event of a trail with one chain on SQLite) has the form it always had: its number as "seq", nothing more,
/// so the chain written before is verified as it is, never rewritten. Any other event also has its "chain" and "pos".
/// The two forms have different fields, so no event of one can be read as an event of the other.
/// </remarks>
public static class AuditHasher
{
    /// <summary>The hash of an event on the first chain at position <paramref name="sequence"/>.</summary>
    public static string Hash(AuditEvent e, long sequence, string previousHash) =>
        Hash(e, sequence, AuditChainHead.FirstChain, sequence, previousHash);

    /// <summary>The hash of an event as it is stored (its sequence, chain, position and previous hash).</summary>
    public static string Hash(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return Hash(e, e.Sequence, e.Chain, e.Position, e.PreviousHash);
    }

    public static string Hash(AuditEvent e, long sequence, int chain, long position, string previousHash)
    {
        ArgumentNullException.ThrowIfNull(e);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", sequence);
            if (chain != AuditChainHead.FirstChain || position != sequence)
            {
                json.WriteNumber("chain", chain);
                json.WriteNumber("pos", position);
            }

            json.WriteString("prev", previousHash);
            json.WriteString("type", e.EventType);
            json.WriteString("at", e.OccurredAtUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            WriteOrNull(json, "user", e.ActorUserId);
            WriteOrNull(json, "person", e.ActorPersonnelId);
            WriteOrNull(json, "provider", e.ActorProviderId);
            WriteOrNull(json, "role", e.ActorRole);
            WriteOrNull(json, "system", e.SystemId);
            WriteOrNull(json, "patient", e.PatientId);
            WriteOrNull(json, "level", e.Level?.ToString());
            json.WriteBoolean("override", e.IsOverride);
            WriteOrNull(json, "reason", e.Reason);
            json.WriteString("outcome", e.Outcome.ToString());
            WriteOrNull(json, "client", e.ClientAddress);
            json.WriteString("correlation", e.CorrelationId);
            WriteOrNull(json, "details", e.Details);
            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteOrNull(Utf8JsonWriter json, string name, int? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteNumber(name, value.Value);
        }
    }
}
