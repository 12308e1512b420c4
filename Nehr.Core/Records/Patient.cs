using Nehr.Core.Access;

namespace Nehr.Core.Records;

/// <summary>A person with a record in the NEHR: demographics and the restriction they chose.</summary>
public sealed class Patient
{
    public const int MaxNameLength = 120;
    private readonly List<PatientAllowedProvider> _allowedProviders = [];

    private Patient()
    {
        Name = string.Empty;
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
