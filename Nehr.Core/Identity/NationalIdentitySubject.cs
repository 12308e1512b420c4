using System.Diagnostics.CodeAnalysis;
using Nehr.Core.Records;

namespace Nehr.Core.Identity;

/// <summary>
/// The subject of a national digital identity (Singpass) ID token: <c>s=&lt;NRIC/FIN&gt;,u=&lt;uuid&gt;</c>, the person's
/// NRIC or FIN (checked with its check letter) and the identity's own UUID. Parsed once, at the edge.
/// </summary>
public readonly record struct NationalIdentitySubject(Nric Nric, Guid Uuid)
{
    /// <summary>The subject as the provider writes it.</summary>
    public override string ToString() => $"s={Nric.Value},u={Uuid:D}";

    public static bool TryParse(string? sub, out NationalIdentitySubject subject, [NotNullWhen(false)] out string? error)
    {
        subject = default;
        if (string.IsNullOrWhiteSpace(sub))
        {
            error = "the ID token has no subject";
            return false;
        }

        string? nric = null, uuid = null;
        foreach (var part in sub.Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = "the subject is not of the form s=<NRIC/FIN>,u=<uuid>";
                return false;
            }

            var (name, value) = (part[..equals], part[(equals + 1)..]);
            switch (name)
            {
                case "s" when nric is null:
                    nric = value;
                    break;
                case "u" when uuid is null:
                    uuid = value;
                    break;
                default:
                    error = $"the subject has an unexpected or repeated part '{name}'";
                    return false;
            }
        }

        if (nric is null || uuid is null)
        {
            error = "the subject is not of the form s=<NRIC/FIN>,u=<uuid>";
            return false;
        }

        // Exactly as issued: no trimming or case folding of an identifier that decides whose record opens.
        if (nric.Length != 9 || nric.Any(c => !char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c)) || !Nric.TryParse(nric, out var parsed))
        {
            error = $"the subject's NRIC/FIN is not valid ({(nric.Length == 9 ? "check letter or series" : "length")})";
            return false;
        }

        if (!Guid.TryParseExact(uuid, "D", out var id))
        {
            error = "the subject's uuid is not a UUID";
            return false;
        }

        subject = new NationalIdentitySubject(parsed, id);
        error = null;
        return true;
    }
}
