-- OrleansImaging schema step 1: the table Orleans' ADO.NET providers read their queries from.
-- Orleans looks queries up by QueryKey at silo start ("Not all required queries found" if one is missing) and binds
-- parameters and result columns by name: the keys, parameter names and column names below are the contract.
CREATE TABLE OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);
