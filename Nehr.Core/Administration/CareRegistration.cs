namespace Nehr.Core.Administration;

/// <summary>How a registration came about.</summary>
public enum RegistrationSource
{
    /// <summary>The provider administrator registered the patient (with an end date).</summary>
    Administrator,

    /// <summary>An encounter from the provider's system: for the episode, and a set time after it ends.</summary>
    Encounter,
}

/// <summary>
/// A patient registered for care with a provider; only then may the provider's care team read the record (rule 4).
/// A registration is current from its start until it is ended or its expiry passes. One from an encounter has no
/// expiry while the episode is under way (planned, arrived, triaged, in progress) and expires a set time after the
/// episode ends; one by the administrator ends on the date they chose.
/// </summary>
public sealed class CareRegistration
{
    public const int MaxEpisodeKeyLength = 64;

    private CareRegistration()
    {
        RegisteredBy = string.Empty;
    }

    public CareRegistration(int patientId, int providerId, string registeredBy, DateTime registeredAtUtc, DateTime? expiresAtUtc = null)
    {
        if (patientId <= 0 || providerId <= 0)
        {
            throw new DomainException("A registration needs a patient and a provider.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(registeredBy);
        if (expiresAtUtc <= registeredAtUtc)
        {
            throw new DomainException("A registration ends after it starts.");
        }

        PatientId = patientId;
        ProviderId = providerId;
        RegisteredBy = registeredBy;
        RegisteredAtUtc = registeredAtUtc;
        ExpiresAtUtc = expiresAtUtc;
        Source = RegistrationSource.Administrator;
    }

    /// <summary>A registration for an encounter's episode, from the provider's system.</summary>
    public static CareRegistration ForEpisode(int patientId, int providerId, int systemId, string episodeKey, DateTime atUtc, DateTime? expiresAtUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(episodeKey);
        if (episodeKey.Length > MaxEpisodeKeyLength)
        {
            throw new DomainException("An episode key is a hash of the encounter's identifier.");
        }

        return new CareRegistration(patientId, providerId, $"system:{systemId}", atUtc)
        {
            Source = RegistrationSource.Encounter,
            SystemId = systemId,
            EpisodeKey = episodeKey,
            ExpiresAtUtc = expiresAtUtc,
        };
    }

    public int Id { get; private set; }

    public int PatientId { get; private set; }

    public int ProviderId { get; private set; }

    public string RegisteredBy { get; private set; }

    public DateTime RegisteredAtUtc { get; private set; }

    public RegistrationSource Source { get; private set; }

    /// <summary>The system whose encounter made the registration.</summary>
    public int? SystemId { get; private set; }

    /// <summary>The encounter's source identifier, hashed: its resends update this registration.</summary>
    public string? EpisodeKey { get; private set; }

    /// <summary>When the registration lapses on its own; null while an episode is under way (or for an old registration without an end date).</summary>
    public DateTime? ExpiresAtUtc { get; private set; }

    public DateTime? EndedAtUtc { get; private set; }

    public string? EndedBy { get; private set; }

    public bool IsActive => EndedAtUtc is null;

    public bool IsCurrentAt(DateTime atUtc) => EndedAtUtc is null && RegisteredAtUtc <= atUtc && (ExpiresAtUtc is null || ExpiresAtUtc > atUtc);

    /// <summary>A resend of the episode's encounter: under way (no expiry), or ended (expires a set time after).</summary>
    public void UpdateEpisode(DateTime? expiresAtUtc)
    {
        if (Source != RegistrationSource.Encounter)
        {
            throw new DomainException("Only a registration from an encounter follows its episode.");
        }

        ExpiresAtUtc = expiresAtUtc;
    }

    public void End(string endedBy, DateTime atUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endedBy);
        if (!IsActive)
        {
            throw new DomainException("This registration has already ended.");
        }

        if (atUtc < RegisteredAtUtc)
        {
            throw new DomainException("A registration cannot end before it started.");
        }

        EndedAtUtc = atUtc;
        EndedBy = endedBy;
    }
}

public static class CareRegistrationQueries
{
    /// <summary>The registrations current at a moment: begun, not ended, not expired.</summary>
    public static IQueryable<CareRegistration> CurrentAt(this IQueryable<CareRegistration> registrations, DateTime atUtc) =>
        registrations.Where(r => r.EndedAtUtc == null && r.RegisteredAtUtc <= atUtc && (r.ExpiresAtUtc == null || r.ExpiresAtUtc > atUtc));
}
