namespace Nehr.Core.Access;

/// <summary>The first time a provider's staff accessed a patient's record; the patient is told once per provider.</summary>
public sealed class PatientProviderAccess
{
    private PatientProviderAccess()
    {
    }

    public PatientProviderAccess(int patientId, int providerId, DateTime firstAccessAtUtc)
    {
        PatientId = patientId;
        ProviderId = providerId;
        FirstAccessAtUtc = firstAccessAtUtc;
    }

    public int PatientId { get; private set; }

    public int ProviderId { get; private set; }

    public DateTime FirstAccessAtUtc { get; private set; }
}
