namespace Nehr.Core.Administration;

/// <summary>A patient registered for care with a provider; only then may the provider's care team read the record.</summary>
public sealed class CareRegistration
{
    private CareRegistration()
    {
        RegisteredBy = string.Empty;
    }

    public CareRegistration(int patientId, int providerId, string registeredBy, DateTime registeredAtUtc)
    {
        if (patientId <= 0 || providerId <= 0)
        {
            throw new DomainException("A registration needs a patient and a provider.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(registeredBy);
        PatientId = patientId;
        ProviderId = providerId;
        RegisteredBy = registeredBy;
        RegisteredAtUtc = registeredAtUtc;
    }

    public int Id { get; private set; }

    public int PatientId { get; private set; }

    public int ProviderId { get; private set; }

    public string RegisteredBy { get; private set; }

    public DateTime RegisteredAtUtc { get; private set; }

    public DateTime? EndedAtUtc { get; private set; }

    public string? EndedBy { get; private set; }

    public bool IsActive => EndedAtUtc is null;

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
