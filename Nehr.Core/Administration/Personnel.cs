namespace Nehr.Core.Administration;

/// <summary>A person working at a provider: their professional role and whether they may use the NEHR.</summary>
public sealed class Personnel
{
    public const int MaxNameLength = 120;

    private Personnel()
    {
        Name = string.Empty;
    }

    public Personnel(int providerId, string name, ProfessionalRole role, bool involvedInCare)
    {
        if (providerId <= 0)
        {
            throw new DomainException("Personnel belong to a provider.");
        }

        var trimmed = (name ?? string.Empty).Trim();
        if (trimmed.Length is 0 or > MaxNameLength)
        {
            throw new DomainException($"A name has 1 to {MaxNameLength} characters.");
        }

        ProviderId = providerId;
        Name = trimmed;
        IsActive = true;
        ChangeRole(role, involvedInCare);
    }

    public int Id { get; private set; }

    public int ProviderId { get; private set; }

    public string Name { get; private set; }

    public ProfessionalRole Role { get; private set; }

    /// <summary>Whether the person is directly involved in patient care now (only possible for a care role).</summary>
    public bool InvolvedInCare { get; private set; }

    /// <summary>False once the person has left the provider.</summary>
    public bool IsActive { get; private set; }

    /// <summary>Set by an MOH corrective action.</summary>
    public bool NehrAccessSuspended { get; private set; }

    /// <summary>
    /// The person's own NRIC, when the provider gave it: a member of staff is also a person in the NEHR, and the
    /// alert rules match it against the records they open (their own, and those of people they represent).
    /// </summary>
    public Records.Nric? Nric { get; private set; }

    public void IdentifyAs(Records.Nric? nric) => Nric = nric;

    public void ChangeRole(ProfessionalRole role, bool involvedInCare)
    {
        if (!Enum.IsDefined(role))
        {
            throw new DomainException("Unknown professional role.");
        }

        if (involvedInCare && !ProfessionalRoles.IsCareRole(role))
        {
            throw new DomainException($"{ProfessionalRoles.Display(role)} is not a role directly involved in patient care.");
        }

        Role = role;
        InvolvedInCare = involvedInCare;
    }

    public void Deactivate()
    {
        IsActive = false;
        InvolvedInCare = false;
    }

    public void SuspendNehrAccess() => NehrAccessSuspended = true;

    public void LiftNehrAccessSuspension() => NehrAccessSuspended = false;
}
