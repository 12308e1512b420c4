using System.Globalization;
using Nehr.Core.Access;

namespace Nehr.Core.Records;

/// <summary>
/// A person in the person register (master patient index) with a record in the NEHR: demographics, the restriction
/// they chose, and where the demographics come from. The population register is the authority: a person a provider
/// enrolled (an NRIC/FIN the NEHR had not seen) keeps "demographics not yet confirmed" until the register confirms or
/// corrects them; deaths and identifier changes come from the register too. Every demographic change is a version.
/// </summary>
public sealed class Patient
{
    public const int MaxNameLength = 120;
    public const int MaxAliases = 10;
    private readonly List<PatientAllowedProvider> _allowedProviders = [];

    private Patient()
    {
        Name = string.Empty;
        AliasText = string.Empty;
    }

    public Patient(Nric nric, string name, DateOnly dateOfBirth, Sex sex, Race race, DateOnly today)
    {
        if (nric == default)
        {
            throw new DomainException("A patient needs an NRIC or FIN.");
        }

        Nric = nric;
        Name = ValidName(name);
        if (dateOfBirth > today)
        {
            throw new DomainException("The date of birth cannot be in the future.");
        }

        if (dateOfBirth < today.AddYears(-130))
        {
            throw new DomainException("The date of birth is more than 130 years ago.");
        }

        DateOfBirth = dateOfBirth;
        Sex = sex;
        Race = race;
        RestrictionMode = RestrictionMode.None;
        AliasText = string.Empty;
        DemographicsConfirmed = true;
    }

    /// <summary>
    /// Enrols a person a provider's feed names for the first time: their demographics as the provider sent them, not
    /// yet confirmed by the population register.
    /// </summary>
    public static Patient EnrolFromProvider(PersonDetails details, int providerId, DateOnly today, DateTime atUtc)
    {
        ArgumentNullException.ThrowIfNull(details);
        if (providerId <= 0)
        {
            throw new DomainException("An enrolment comes from a provider.");
        }

        var patient = new Patient(details.Nric, details.Name, details.DateOfBirth, details.Sex, details.Race ?? Race.NotStated, today)
        {
            DemographicsConfirmed = false,
            EnrolledByProviderId = providerId,
            EnrolledAtUtc = atUtc,
            DemographicsVersion = 1,
        };
        patient.AliasText = AliasesText(details.Aliases, patient.Name);
        return patient;
    }

    /// <summary>Registers a person from the population register (the authority): confirmed from the start.</summary>
    public static Patient FromPopulationRegister(PersonDetails details, DateOnly today, DateTime atUtc)
    {
        ArgumentNullException.ThrowIfNull(details);
        var patient = new Patient(details.Nric, details.Name, details.DateOfBirth, details.Sex, details.Race ?? Race.NotStated, today)
        {
            EnrolledAtUtc = atUtc,
            DemographicsVersion = 1,
        };
        patient.AliasText = AliasesText(details.Aliases, patient.Name);
        patient.SetDeath(details.Deceased, details.DateOfDeath, today);
        return patient;
    }

    public int Id { get; private set; }

    public Nric Nric { get; private set; }

    public string Name { get; private set; }

    public DateOnly DateOfBirth { get; private set; }

    public Sex Sex { get; private set; }

    public Race Race { get; private set; }

    public RestrictionMode RestrictionMode { get; private set; }

    /// <summary>Starts at 0 and goes up by one with every change of restriction.</summary>
    public int RestrictionVersion { get; private set; }

    public IReadOnlyCollection<PatientAllowedProvider> AllowedProviders => _allowedProviders;

    /// <summary>Other names the person is known by (from the population register, or as the enrolling provider sent them).</summary>
    public IReadOnlyList<string> Aliases => AliasText.Length == 0 ? [] : AliasText.Split('\n');

    /// <summary>The aliases, one a line (the column behind <see cref="Aliases"/>).</summary>
    public string AliasText { get; private set; }

    /// <summary>Whether the population register has confirmed the demographics (false: enrolled by a provider, not yet confirmed).</summary>
    public bool DemographicsConfirmed { get; private set; }

    /// <summary>The provider whose feed enrolled the person; null when the population register (or the seeder) did.</summary>
    public int? EnrolledByProviderId { get; private set; }

    public DateTime? EnrolledAtUtc { get; private set; }

    /// <summary>Recorded by the population register.</summary>
    public bool IsDeceased { get; private set; }

    /// <summary>The date of death where the register gave one.</summary>
    public DateOnly? DateOfDeath { get; private set; }

    /// <summary>Goes up by one with every change of demographics (each kept as a <see cref="DemographicsChange"/>).</summary>
    public int DemographicsVersion { get; private set; }

    /// <summary>Every name the person is known by: the name and the aliases.</summary>
    public IEnumerable<string> KnownNames => Aliases.Prepend(Name);

    /// <summary>The demographics as one line of text, for the versions (never shown to a provider's system).</summary>
    public string Snapshot() => string.Create(CultureInfo.InvariantCulture,
        $"nric={Nric.Value}; name={Name}; aliases={string.Join(" | ", Aliases)}; birthDate={DateOfBirth:yyyy-MM-dd}; sex={Sex}; race={Race}; deceased={(IsDeceased ? DateOfDeath?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "yes" : "no")}; confirmed={DemographicsConfirmed}");

    /// <summary>The register's rules for a person's demographics, checked before anything changes.</summary>
    public static void Validate(PersonDetails details, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(details);
        var name = ValidName(details.Name);
        _ = AliasesText(details.Aliases, name);
        if (details.DateOfBirth > today)
        {
            throw new DomainException("The date of birth cannot be in the future.");
        }

        if (details.DateOfBirth < today.AddYears(-130))
        {
            throw new DomainException("The date of birth is more than 130 years ago.");
        }

        if (!details.Deceased && details.DateOfDeath is not null)
        {
            throw new DomainException("A date of death is given for a person who is not deceased.");
        }

        if (details.DateOfDeath is { } died && (died > today || died < details.DateOfBirth))
        {
            throw new DomainException("The date of death is in the future or before the date of birth.");
        }
    }

    /// <summary>
    /// The population register's word on this person: it confirms the demographics and corrects any that differ;
    /// race only when it gives one. Returns the kind of change to keep as a version, or null when nothing changed.
    /// </summary>
    public DemographicsChangeKind? ApplyPopulationRegister(PersonDetails details, DateOnly today)
    {
        Validate(details, today);
        var name = ValidName(details.Name);
        var aliases = AliasesText(details.Aliases, name);
        var corrected = name != Name || aliases != AliasText || details.DateOfBirth != DateOfBirth || details.Sex != Sex
            || (details.Race is { } r && r != Race);
        var deathChanged = details.Deceased != IsDeceased || details.DateOfDeath != DateOfDeath;
        if (!corrected && !deathChanged && DemographicsConfirmed)
        {
            return null;
        }

        Name = name;
        AliasText = aliases;
        DateOfBirth = details.DateOfBirth;
        Sex = details.Sex;
        Race = details.Race ?? Race;
        SetDeath(details.Deceased, details.DateOfDeath, today);
        DemographicsConfirmed = true;
        DemographicsVersion++;
        return details.Deceased && deathChanged ? DemographicsChangeKind.Deceased
            : corrected || deathChanged ? DemographicsChangeKind.Corrected
            : DemographicsChangeKind.Confirmed;
    }

    /// <summary>The person's NRIC/FIN changed (e.g. a FIN holder who became a citizen): the old one is kept as a former identifier.</summary>
    public FormerIdentifier ChangeNric(Nric newNric, DateTime atUtc)
    {
        if (newNric == default || newNric == Nric)
        {
            throw new DomainException("The new NRIC/FIN is the same as the current one.");
        }

        var former = new FormerIdentifier(Id, Nric, atUtc);
        Nric = newNric;
        DemographicsVersion++;
        return former;
    }

    private void SetDeath(bool deceased, DateOnly? dateOfDeath, DateOnly today)
    {
        if (!deceased && dateOfDeath is not null)
        {
            throw new DomainException("A date of death is given for a person who is not deceased.");
        }

        if (dateOfDeath is { } date && (date > today || date < DateOfBirth))
        {
            throw new DomainException("The date of death is in the future or before the date of birth.");
        }

        IsDeceased = deceased;
        DateOfDeath = dateOfDeath;
    }

    private static string AliasesText(IEnumerable<string>? aliases, string name)
    {
        var list = (aliases ?? [])
            .Select(a => (a ?? string.Empty).Trim())
            .Where(a => a.Length > 0 && !string.Equals(a, name, StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Length > MaxNameLength ? throw new DomainException($"A name has at most {MaxNameLength} characters.") : a.Replace('\n', ' '))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return list.Count > MaxAliases
            ? throw new DomainException($"A person has at most {MaxAliases} other names.")
            : string.Join('\n', list);
    }

    public int AgeOn(DateOnly day) => AgeOn(DateOfBirth, day);

    /// <summary>Age in whole years on a day.</summary>
    public static int AgeOn(DateOnly dateOfBirth, DateOnly day)
    {
        var age = day.Year - dateOfBirth.Year;
        return dateOfBirth > day.AddYears(-age) ? age - 1 : age;
    }

    /// <summary>
    /// Sets the patient's restriction. Returns the change to be kept as a version, or null when nothing changed.
    /// </summary>
    public RestrictionChange? ChangeRestriction(
        RestrictionMode mode, IReadOnlyCollection<int> allowedProviderIds, string changedBy, DateTime atUtc)
    {
        ArgumentNullException.ThrowIfNull(allowedProviderIds);
        ArgumentException.ThrowIfNullOrWhiteSpace(changedBy);
        if (!Enum.IsDefined(mode))
        {
            throw new DomainException("Unknown restriction mode.");
        }

        var wanted = allowedProviderIds.Distinct().Order().ToArray();
        if (mode == RestrictionMode.AllowSelectedProviders && wanted.Length == 0)
        {
            throw new DomainException("Select at least one provider who may see your full record.");
        }

        if (mode != RestrictionMode.AllowSelectedProviders && wanted.Length > 0)
        {
            throw new DomainException("Providers can only be selected with the mode 'allow selected providers'.");
        }

        var current = _allowedProviders.Select(a => a.ProviderId).Order().ToArray();
        if (mode == RestrictionMode && current.SequenceEqual(wanted))
        {
            return null;
        }

        var change = new RestrictionChange(
            Id, RestrictionVersion + 1, RestrictionMode, mode, current, wanted, changedBy, atUtc);
        RestrictionMode = mode;
        RestrictionVersion++;
        _allowedProviders.RemoveAll(a => !wanted.Contains(a.ProviderId));
        foreach (var providerId in wanted.Except(current))
        {
            _allowedProviders.Add(new PatientAllowedProvider(Id, providerId));
        }

        return change;
    }

    public bool Allows(int providerId) =>
        RestrictionMode == RestrictionMode.AllowSelectedProviders && _allowedProviders.Any(a => a.ProviderId == providerId);

    internal static string ValidName(string? name)
    {
        var trimmed = (name ?? string.Empty).Trim();
        if (trimmed.Length == 0)
        {
            throw new DomainException("A name is required.");
        }

        if (trimmed.Length > MaxNameLength)
        {
            throw new DomainException($"A name has at most {MaxNameLength} characters.");
        }

        return trimmed;
    }
}

/// <summary>A provider the patient allows to see the full record (mode AllowSelectedProviders).</summary>
public sealed class PatientAllowedProvider
{
    private PatientAllowedProvider()
    {
    }

    internal PatientAllowedProvider(int patientId, int providerId)
    {
        PatientId = patientId;
        ProviderId = providerId;
    }

    public int PatientId { get; private set; }

    public int ProviderId { get; private set; }
}

/// <summary>A person's demographics as a feed gives them (a provider's Patient, or the population register's).</summary>
public sealed record PersonDetails(
    Nric Nric, string Name, IReadOnlyList<string> Aliases, DateOnly DateOfBirth, Sex Sex, Race? Race = null,
    bool Deceased = false, DateOnly? DateOfDeath = null);

/// <summary>An NRIC/FIN a person had before (e.g. the FIN of someone who became a citizen): it still finds them.</summary>
public sealed class FormerIdentifier
{
    private FormerIdentifier()
    {
    }

    internal FormerIdentifier(int patientId, Nric nric, DateTime replacedAtUtc)
    {
        PatientId = patientId;
        Nric = nric;
        ReplacedAtUtc = replacedAtUtc;
    }

    public long Id { get; private set; }

    public int PatientId { get; private set; }

    public Nric Nric { get; private set; }

    public DateTime ReplacedAtUtc { get; private set; }
}

public enum DemographicsChangeKind
{
    /// <summary>A provider's feed named an NRIC/FIN the NEHR did not know: demographics not yet confirmed.</summary>
    EnrolledByProvider,

    /// <summary>The population register created the person.</summary>
    Registered,

    /// <summary>The population register confirmed the demographics as they were.</summary>
    Confirmed,

    /// <summary>The population register corrected the demographics.</summary>
    Corrected,

    /// <summary>The population register recorded the person's death.</summary>
    Deceased,

    /// <summary>The population register changed the person's NRIC/FIN.</summary>
    IdentifierChanged,
}

/// <summary>One version of a person's demographics: what changed, from what to what, and which feed said so. Never edited.</summary>
public sealed class DemographicsChange
{
    private DemographicsChange()
    {
        After = string.Empty;
    }

    public DemographicsChange(int patientId, int version, DemographicsChangeKind kind, string? before, string after, int? providerId, int? systemId, DateTime changedAtUtc)
    {
        if (patientId <= 0 || version <= 0)
        {
            throw new DomainException("A demographics version belongs to a person.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(after);
        PatientId = patientId;
        Version = version;
        Kind = kind;
        Before = before;
        After = after;
        ProviderId = providerId;
        SystemId = systemId;
        ChangedAtUtc = changedAtUtc;
    }

    public long Id { get; private set; }

    public int PatientId { get; private set; }

    public int Version { get; private set; }

    public DemographicsChangeKind Kind { get; private set; }

    public string? Before { get; private set; }

    public string After { get; private set; }

    public int? ProviderId { get; private set; }

    public int? SystemId { get; private set; }

    public DateTime ChangedAtUtc { get; private set; }
}
