import { Cron } from 'croner';
const n=(p,after,tz,opts={})=>{const c=new Cron(p,{mode:'5-part',...(tz&&/^[+-]/.test(tz)?{utcOffset:(tz[0]==='-'?-1:1)*(+tz.slice(1,3)*60+ +tz.slice(-2))}:tz?{timezone:tz}:{timezone:'UTC'}),...opts});return c.nextRun(new Date(after))?.toISOString();};
const seq=(p,after,k,tz,o)=>{const out=[];let t=after;for(let i=0;i<k;i++){t=n(p,t,tz,o);out.push(t)}return out};
const ny='America/New_York';
for (const o of [{}, {fixedTimeRule:'no-wildcard'}]) {
console.log(JSON.stringify(o));
console.log(seq('30 2 * * *','2024-03-09T12:00:00Z',3,ny,o), 'want 07:30,06:30,06:30');
console.log(n('30 2 * * *','2024-03-10T07:10:00Z',ny,o),'want 07:30');
console.log(seq('0 * * * *','2024-03-10T06:30:00Z',2,ny,o),'want 07,08');
console.log(seq('30 1 * * *','2024-11-03T00:00:00Z',2,ny,o),'want 05:30, 11-04 06:30');
console.log(seq('0 * * * *','2024-11-03T04:30:00Z',3,ny,o),'want 05,07,08');
console.log(n('*/30 * * * *','2024-11-03T06:10:00Z',ny,o),'want 07:00');
console.log(seq('15 2 * * *','2024-10-04T00:00:00Z',3,'Australia/Lord_Howe',o),'want 10-04 15:45,10-05 15:45, 10-06 15:15');
console.log(n('15 2 * * *','2024-10-05T15:35:00Z','Australia/Lord_Howe',o),'want 10-05T15:45');
}
console.log(n('0 1 * * *','2024-05-01T00:00:00Z','+14:00'),'want 05-01T11');
console.log(n('0 12 29 2 *','2096-03-01T00:00:00Z'),'want 2104-02-29T12');
console.log(n('0 3 * * *','2024-05-01T02:59:59.999Z'),'want 05-01T03');
console.log(n('* * * * *','2024-05-01T03:00:30Z'),'want 03:01');
console.log(n('0 0 13 * 5','2024-10-01T00:00:00Z', undefined, {legacyMode:true}),'want 10-04');
