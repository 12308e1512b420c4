namespace Nehr.Core.Audit;

/// <summary>Who is acting and from where: the caller part of every audit event.</summary>
public sealed record AuditContext(string? UserId, string? ClientAddress, string CorrelationId)
{
    /// <summary>
    /// The representation the signed-in person is acting under (for a patient they represent), or null for themselves.
    /// Checked on current data by every patient command (<see cref="PatientSelf"/>).
    /// </summary>
    public long? RepresentationId { get; init; }

    public static AuditContext System(string correlationId) => new(null, null, correlationId);
}
