using Nehr.Core.Records;

namespace Nehr.Core.Tests;

/// <summary>
/// The published table of the name rule of the identity cross-check (<see cref="NameMatching"/>): what a provider's
/// system may send for a person the register knows, and what it may not.
/// </summary>
public sealed class IdentityMatchingTests
{
    public static TheoryData<string, string, string, bool> Names() => new()
    {
        // case, spacing, punctuation
        { "case", "TAN MEI LING", "Tan Mei Ling", true },
        { "extra spaces", "  Tan   Mei  Ling ", "Tan Mei Ling", true },
        { "a hyphen", "Tan Mei-Ling", "Tan Mei Ling", true },
        { "a comma", "Tan, Mei Ling", "Tan Mei Ling", true },
        { "given names run together", "Tan Meiling", "Tan Mei Ling", true },
        { "accents", "José Tan", "Jose Tan", true },
        { "Vietnamese diacritics", "Nguyễn Thị Lan", "NGUYEN THI LAN", true },
        { "a name sent decomposed", "Jose\u0301 Tan", "José Tan", true },
        { "an apostrophe", "D'Souza Maria", "DSouza Maria", true },

        // order of family and given names
        { "given names first", "Mei Ling Tan", "Tan Mei Ling", true },
        { "any order of the same words", "Ling Tan Mei", "Tan Mei Ling", true },

        // connecting words of Malay and Indian names, and honorifics
        { "bin in another case", "Muhammad Faizal Bin Rahman", "Muhammad Faizal bin Rahman", true },
        { "bin left out", "Muhammad Faizal Rahman", "Muhammad Faizal bin Rahman", true },
        { "binte written bte", "Siti Aminah bte Yusof", "Siti Aminah binte Yusof", true },
        { "d/o in capitals", "Priya D/O Raman", "Priya d/o Raman", true },
        { "d/o left out", "Priya Raman", "Priya d/o Raman", true },
        { "s/o with spaces", "Rajesh s / o Kumar", "Rajesh s/o Kumar", true },
        { "an honorific", "Mdm Tan Mei Ling", "Tan Mei Ling", true },
        { "Dr with a full stop", "Dr. Lim Wei Ming", "Lim Wei Ming", true },

        // aliases written with @
        { "the alias after @", "Tan Ah Kow", "Tan Ah Kow @ Tan Kow Seng", true },
        { "the name before @", "Tan Kow Seng", "Tan Ah Kow @ Tan Kow Seng", true },

        // not the same person's name
        { "another name", "Bibi", "Tan Mei Ling", false },
        { "a word missing", "Tan Mei", "Tan Mei Ling", false },
        { "a word too many", "Tan Mei Ling Ling", "Tan Mei Ling", false },
        { "another family name", "Lim Mei Ling", "Tan Mei Ling", false },
        { "another spelling", "Tan Mei Lin", "Tan Mei Ling", false },
        { "initials", "Tan M L", "Tan Mei Ling", false },
        { "an honorific alone", "Mr", "Tan", false },
        { "nothing", "", "Tan Mei Ling", false },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Names_match_under_the_published_rule(string why, string sent, string registered, bool matches)
    {
        Assert.True(NameMatching.Matches(sent, registered) == matches, $"{why}: \"{sent}\" vs \"{registered}\" should {(matches ? "" : "not ")}match");
    }

    [Fact]
    public void Any_name_sent_may_match_any_name_the_register_knows()
    {
        Assert.True(NameMatching.Matches(["Alvin Tan", "Tan Boon Huat"], ["TAN BOON HUAT"]));
        Assert.True(NameMatching.Matches(["Alvin Tan"], ["Tan Boon Huat", "Alvin Tan"]));
        Assert.False(NameMatching.Matches(["Alvin Tan"], ["Tan Boon Huat"]));
    }

    [Fact]
    public void Birth_date_and_sex_must_agree_and_unknown_contradicts_nothing()
    {
        var born = new DateOnly(1951, 3, 2);
        string[] names = ["Tan Mei Ling"];

        Assert.Null(IdentityMatching.Disagreement(born, Sex.Female, names, born, Sex.Female, names));
        Assert.Equal(IdentityField.BirthDate, IdentityMatching.Disagreement(born.AddDays(1), Sex.Female, names, born, Sex.Female, names));
        Assert.Equal(IdentityField.Sex, IdentityMatching.Disagreement(born, Sex.Male, names, born, Sex.Female, names));
        Assert.Null(IdentityMatching.Disagreement(born, Sex.Unknown, names, born, Sex.Female, names));
        Assert.Null(IdentityMatching.Disagreement(born, Sex.Female, names, born, Sex.Unknown, names));
        Assert.Equal(IdentityField.Name, IdentityMatching.Disagreement(born, Sex.Female, ["Bibi"], born, Sex.Female, names));
        Assert.Equal("birthDate", IdentityMatching.FhirElement(IdentityField.BirthDate));
        Assert.Equal("gender", IdentityMatching.FhirElement(IdentityField.Sex));
    }
}
