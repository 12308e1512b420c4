using System.Text;
using System.Text.RegularExpressions;

namespace Nehr.Core.Records;

/// <summary>The part of a person's demographics that disagrees with the person register.</summary>
public enum IdentityField
{
    BirthDate,
    Sex,
    Name,
}

/// <summary>
/// Whether a feed's Patient is the person the register knows under that NRIC/FIN. Birth date must be the same day;
/// sex the same (a side that says "unknown" contradicts nothing); the name must match under <see cref="NameMatching"/>.
/// The answer names the field that disagrees, never the register's value.
/// </summary>
public static class IdentityMatching
{
    /// <summary>The first field that disagrees, or null when the person sent is the person known.</summary>
    public static IdentityField? Disagreement(
        DateOnly sentBirthDate, Sex sentSex, IEnumerable<string> sentNames, DateOnly dateOfBirth, Sex sex, IEnumerable<string> knownNames)
    {
        if (sentBirthDate != dateOfBirth)
        {
            return IdentityField.BirthDate;
        }

        if (sentSex != sex && sentSex != Sex.Unknown && sex != Sex.Unknown)
        {
            return IdentityField.Sex;
        }

        return NameMatching.Matches(sentNames, knownNames) ? null : IdentityField.Name;
    }

    public static string FhirElement(IdentityField field) => field switch
    {
        IdentityField.BirthDate => "birthDate",
        IdentityField.Sex => "gender",
        _ => "name",
    };
}

/// <summary>
/// The name-matching rule of the identity cross-check. Two names match when, after normalising both:
/// <list type="number">
/// <item>letters are compared without case and without accents (José = JOSE);</item>
/// <item>apostrophes are dropped (D'Souza = DSouza) and every other character that is not a letter or digit
///   separates words (Mei-Ling = Mei Ling, "Tan, Mei Ling" = Tan Mei Ling); runs of spaces count as one;</item>
/// <item>the connecting words of Malay and Indian names are left out: bin, binte, binti, bte, bt, s/o, d/o, a/l, a/p;</item>
/// <item>honorifics at the start of a written name are left out: Mr, Mrs, Ms, Miss, Mdm, Dr, Prof;</item>
/// <item>"@" introduces an alias: "Tan Ah Kow @ Tan Kow" is known as either, and as the whole;</item>
/// </list>
/// the same words in any order match (family name first or last), and so do the same letters in the same order
/// however they are split into words (Mei Ling = Meiling). A name matches a person when any of the names sent matches
/// any name the register knows (the name and the aliases). Anything else is a mismatch: a missing or extra word, a
/// different spelling. The cases are the table in IdentityMatchingTests.
/// </summary>
public static partial class NameMatching
{
    private static readonly HashSet<string> Connectors = new(StringComparer.Ordinal) { "BIN", "BINTE", "BINTI", "BTE", "BT" };
    private static readonly HashSet<string> Honorifics = new(StringComparer.Ordinal) { "MR", "MRS", "MS", "MISS", "MDM", "DR", "PROF" };

    public static bool Matches(IEnumerable<string?> sent, IEnumerable<string?> known)
    {
        ArgumentNullException.ThrowIfNull(sent);
        ArgumentNullException.ThrowIfNull(known);
        var knownForms = known.SelectMany(Forms).ToList();
        return knownForms.Count > 0 && sent.SelectMany(Forms).Any(s => knownForms.Any(k => k.Matches(s)));
    }

    public static bool Matches(string? sent, string? known) => Matches([sent], [known]);

    /// <summary>The words of a name after normalising (upper case, no accents, no connectors), in order.</summary>
    public static IReadOnlyList<string> Words(string? name)
    {
        var text = Normalise(name ?? string.Empty);
        text = RelationPattern().Replace(text, " ");
        var words = WordBreak().Split(text).Where(w => w.Length > 0 && !Connectors.Contains(w)).ToList();
        while (words.Count > 1 && Honorifics.Contains(words[0]))
        {
            words.RemoveAt(0);
        }

        return words;
    }

    private static IEnumerable<NameForm> Forms(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            yield break;
        }

        var parts = name.Split('@');
        if (parts.Length > 1)
        {
            foreach (var part in parts)
            {
                if (Words(part) is { Count: > 0 } aliasWords)
                {
                    yield return new NameForm(aliasWords);
                }
            }
        }

        if (Words(name.Replace('@', ' ')) is { Count: > 0 } words)
        {
            yield return new NameForm(words);
        }
    }

    private static string Normalise(string name)
    {
        // Accents are folded by a table, not by Unicode normalisation: the portal runs with invariant globalization,
        // where normalisation leaves non-ASCII letters as they are. Combining marks (a name sent decomposed) are dropped.
        var text = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (c is '\'' or '\u2019' || c is >= '\u0300' and <= '\u036F')
            {
                continue;
            }

            text.Append(Folded.TryGetValue(c, out var plain) ? plain : c);
        }

        return text.ToString().ToUpperInvariant();
    }

    /// <summary>Latin letters with diacritics (Latin-1, Latin Extended-A and B, Vietnamese) to their base letter.</summary>
    private static readonly Dictionary<char, char> Folded = FoldTable(
        "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹÆæØøĐđŁłÐðÞþĦħŦŧıŒœ",
        "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoOojGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYyAaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMmMmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVvWwWwWwWwWwXxXxYyZzZzZzhtwyAaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYyAaOoDdLlDdTtHhTtiOo");

    private static Dictionary<char, char> FoldTable(string accented, string plain)
    {
        var table = new Dictionary<char, char>(accented.Length);
        for (var i = 0; i < accented.Length; i++)
        {
            table[accented[i]] = plain[i];
        }

        return table;
    }

    private sealed record NameForm(IReadOnlyList<string> Words)
    {
        private string Compact { get; } = string.Concat(Words);

        private string Sorted { get; } = string.Join(' ', Words.Order(StringComparer.Ordinal));

        public bool Matches(NameForm other) => Sorted == other.Sorted || Compact == other.Compact;
    }

    /// <summary>s/o, d/o, a/l, a/p (son of, daughter of, anak lelaki, anak perempuan) as whole words.</summary>
    [GeneratedRegex(@"(?<![\p{L}\p{Nd}])[SDA]\s*/\s*[OLP](?![\p{L}\p{Nd}])")]
    private static partial Regex RelationPattern();

    [GeneratedRegex(@"[^\p{L}\p{Nd}]+")]
    private static partial Regex WordBreak();
}
