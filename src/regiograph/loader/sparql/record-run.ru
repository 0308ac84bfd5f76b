# One harvest run in the metadata graph (all values bound; unbound ones leave their triple out).
PREFIX hv: <https://w3id.org/regiograph/harvest#>
PREFIX prov: <http://www.w3.org/ns/prov#>

INSERT { GRAPH ?meta {
  ?run a hv:HarvestRun , prov:Activity ;
    hv:sourceId ?sourceId ;
    prov:used ?location ;
    prov:startedAtTime ?started ;
    prov:endedAtTime ?ended ;
    hv:outcome ?outcome ;
    hv:step ?step ;
    hv:message ?message ;
    hv:triplesFetched ?fetched ;
    hv:triplesPublished ?published ;
    hv:pages ?pages ;
    hv:records ?records ;
    hv:violations ?violations ;
    hv:warnings ?warnings ;
    hv:infos ?infos ;
    hv:etag ?etag ;
    hv:lastModified ?lastModified ;
    hv:seconds ?seconds ;
    hv:report ?report ;
    hv:trigger ?trigger ;
    hv:validation ?validation ;
    hv:datasets ?datasets ;
    hv:datasetsAccepted ?accepted ;
    hv:datasetsHeldBack ?heldBack ;
    hv:datasetsRepaired ?repaired ;
    prov:generated ?graph .
} }
WHERE { }
