create table probe (id int primary key, note text not null);
insert into probe values (1, 'migrated');
