namespace OrleansImaging.Dicom;

/// <summary>What a registered UID identifies, as PS3.6 Annex A classifies it.</summary>
public enum DicomUidType
{
    /// <summary>Not a registered UID, or one whose kind is not known (e.g. a generated instance UID).</summary>
    Unknown = 0,
    /// <summary>A transfer syntax (PS3.5 10).</summary>
    TransferSyntax,
    /// <summary>A SOP class.</summary>
    SopClass,
    /// <summary>A meta SOP class, grouping SOP classes for negotiation.</summary>
    MetaSopClass,
    /// <summary>A well-known SOP instance, including the printer and print queue instances.</summary>
    WellKnownSopInstance,
    /// <summary>The DICOM application context name.</summary>
    ApplicationContextName,
    /// <summary>A coding scheme, including "DICOM UIDs as a Coding Scheme".</summary>
    CodingScheme,
    /// <summary>A service class.</summary>
    ServiceClass,
    /// <summary>An LDAP object identifier of the DICOM configuration schema (PS3.15 H).</summary>
    LdapOid,
    /// <summary>An application hosting model (PS3.19).</summary>
    ApplicationHostingModel,
    /// <summary>A mapping resource, such as the DICOM Content Mapping Resource.</summary>
    MappingResource,
    /// <summary>A synchronization frame of reference.</summary>
    SynchronizationFrameOfReference,
    /// <summary>A well-known frame of reference, such as an atlas coordinate system.</summary>
    WellKnownFrameOfReference,
}
