import '@tierline/testing/quiet-temporal';
